import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionContent, type TransitionCommand } from '../../shared/sync-protocol';
import { commandMac } from '../../shared/node/command-mac';
import type { Workflow } from '../../shared/workflow';
import { applyCommand } from '../../server/app/apply-command';
import { claimApplication } from '../../server/app/claims';
import { revokeEverySession, startSession, userForToken } from '../../server/app/auth-tokens';
import { officeDefinitions } from '../../server/app/definitions-cache';
import { openServerDb } from '../../server/db/open-server-db';
import type { ServerDatabase } from '../../server/db/server-database';
import type { ServerEngine } from '../../server/db/server-engine';
import { METRO_OFFICE_ID } from '../../server/seed/demo-configuration';
import { seedDemoDatabase } from '../../server/seed/seed-demo-database';
import { freshServerDatabases } from '../support/fresh-server-databases';

// A decision is judged by the office's definitions as they are when it is applied. On PostgreSQL
// the server judges with the definitions its request read at the start (with the sign-in check)
// and lets the closing statement confirm they are still current (apply-command.ts): here the
// workflow changes between that read and the decision, in both directions, and the decision must
// come out as the new workflow says.

const freshDatabase = freshServerDatabases('definitions-change');

/** Metro's workflow with the examination stage given to `role`. */
async function setExaminingRole(db: Kysely<ServerDatabase>, role: string): Promise<void> {
  const row = await db.selectFrom('workflows').select(['id', 'definition']).where('office_id', '=', METRO_OFFICE_ID).executeTakeFirstOrThrow();
  const workflow = JSON.parse(row.definition) as Workflow;
  const changed = { ...workflow, stages: workflow.stages.map((s) => (s.id === 'pemeriksaan' ? { ...s, role } : s)) };
  await db.updateTable('workflows').set({ definition: JSON.stringify(changed) }).where('id', '=', row.id).execute();
}

describe.each<ServerEngine>(['sqlite', 'postgres'])('a workflow changed while a decision is under way, on %s', (engine) => {
  let db: Kysely<ServerDatabase>;
  let close: () => Promise<void>;
  let files: string[];
  let penataToken: string;
  let checklist: Record<string, boolean>;

  beforeAll(async () => {
    ({ db, close } = await openServerDb(await freshDatabase(engine)));
    await seedDemoDatabase(db, { applications: 6, allAtStage: 'pemeriksaan', documents: false, pekanbaruFiles: 0, balikpapanFiles: 0 });
    files = (await db.selectFrom('applications').select('id').where('office_id', '=', METRO_OFFICE_ID).orderBy('registration_number').execute()).map((r) => r.id);
    const penata = await db.selectFrom('users').select('id').where('username', '=', 'penata').executeTakeFirstOrThrow();
    penataToken = (await startSession(db, penata.id)).token;
    const types = await db.selectFrom('permit_types').select('definition').where('office_id', '=', METRO_OFFICE_ID).execute();
    checklist = Object.fromEntries(types.flatMap((t) => (JSON.parse(t.definition) as { requirements: Array<{ id: string }> }).requirements.map((r) => [r.id, true])));
  });
  afterAll(() => close());

  const passOn = (applicationId: string): TransitionCommand => ({
    id: randomUUID(),
    type: 'transition',
    applicationId,
    action: 'teruskan',
    expectedStage: 'pemeriksaan',
    reason: 'Sesuai dengan data nasional.',
    checklist,
    decidedAt: new Date().toISOString(),
    evidence: null,
  });
  const stageOf = async (id: string) => (await db.selectFrom('applications').select('stage').where('id', '=', id).executeTakeFirstOrThrow()).stage;

  it('refuses a decision the new workflow forbids, though the workflow read with the request allowed it', async () => {
    // the server process has the current workflow in memory, and the penata's request has read its version
    await officeDefinitions(db, METRO_OFFICE_ID);
    const penata = (await userForToken(db, penataToken))!;
    await setExaminingRole(db, 'koordinator');

    const result = await applyCommand(db, penata, passOn(files[0]!));
    expect(result).toMatchObject({ status: 'rejected', code: 'FORBIDDEN_ROLE' });
    expect(await stageOf(files[0]!)).toBe('pemeriksaan');
    expect(await db.selectFrom('events').select('id').where('application_id', '=', files[0]!).where('action', '=', 'teruskan').execute()).toEqual([]);
  });

  it('applies a decision the new workflow allows, though the workflow read with the request forbade it', async () => {
    await officeDefinitions(db, METRO_OFFICE_ID);
    const penata = (await userForToken(db, penataToken))!;
    await setExaminingRole(db, 'penata_perizinan');

    const command = passOn(files[1]!);
    const result = await applyCommand(db, penata, command);
    expect(result).toMatchObject({ status: 'accepted' });
    expect(await stageOf(files[1]!)).toBe('verifikasi_draf');
    // booked once, accepted
    expect(await db.selectFrom('commands').select(['status']).where('id', '=', command.id).execute()).toEqual([{ status: 'accepted' }]);
  });

  it('judges a file on a workflow added after the request read the definitions', async () => {
    await officeDefinitions(db, METRO_OFFICE_ID);
    const penata = (await userForToken(db, penataToken))!;
    const current = await db.selectFrom('workflows').selectAll().where('office_id', '=', METRO_OFFICE_ID).executeTakeFirstOrThrow();
    const added = { ...(JSON.parse(current.definition) as Workflow), id: 'metro-baru' };
    await db.insertInto('workflows').values({ ...current, id: added.id, definition: JSON.stringify(added) }).execute();
    await db.updateTable('applications').set({ workflow_id: added.id }).where('id', '=', files[2]!).execute();

    expect(await applyCommand(db, penata, passOn(files[2]!))).toMatchObject({ status: 'accepted' });
    expect(await stageOf(files[2]!)).toBe('verifikasi_draf');
  });

  it("refuses a signed decision once the official's sign-in is revoked, also in a request that began before", async () => {
    const penataId = (await db.selectFrom('users').select('id').where('username', '=', 'penata').executeTakeFirstOrThrow()).id;
    const { token, session } = await startSession(db, penataId);
    const penata = (await userForToken(db, token))!;
    // an administrator ends the sign-in while the request's body is still arriving
    await revokeEverySession(db, penataId);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const command = passOn(files[3]!);
    const author = { userId: penataId, sessionId: session.id };
    const signed = { ...command, author, mac: commandMac(Buffer.from(session.key, 'base64url'), transitionContent(command), author) };
    expect(await applyCommand(db, penata, signed)).toMatchObject({ status: 'rejected', code: 'AUTHOR_SESSION_EXPIRED' });
    expect(await stageOf(files[3]!)).toBe('pemeriksaan');
  });

  // A process holds a token check for up to a second (auth-tokens.ts), with the definitions
  // version it read: a claim made just after a change must still be judged by the new workflow.
  it('judges a claim by the workflow as changed a moment ago, though the sign-in check was read before', async () => {
    // a sign-in of its own (the test before revoked the penata's others)
    const penataId = (await db.selectFrom('users').select('id').where('username', '=', 'penata').executeTakeFirstOrThrow()).id;
    const { token } = await startSession(db, penataId);
    const claimAs = async (applicationId: string) =>
      claimApplication(db, (await userForToken(db, token))!, applicationId).then(
        (claim) => (claim.claimedBy ? 'taken' : 'free'),
        (error: { status?: number }) => error.status,
      );
    await userForToken(db, token);
    await setExaminingRole(db, 'koordinator');
    expect(await claimAs(files[4]!)).toBe(403);
    expect(await db.selectFrom('claims').select('application_id').where('application_id', '=', files[4]!).execute()).toEqual([]);

    await userForToken(db, token);
    await setExaminingRole(db, 'penata_perizinan');
    expect(await claimAs(files[5]!)).toBe('taken');
  });
});
