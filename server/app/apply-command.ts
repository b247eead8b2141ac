import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { conformityFindings } from '../../shared/conformity';
import type { Applicant, ReferenceRecord } from '../../shared/domain';
import { transitionContent, type CommandResult, type TransitionCommand } from '../../shared/sync-protocol';
import { commandContentHash } from '../../shared/node/command-mac';
import { calendarDateIn } from '../../shared/working-days';
import { judgeAction, type ActionAttempt, type RuleVerdict } from '../../shared/workflow-rules';
import type { Role } from '../../shared/roles';
import { referenceFromRow } from './server-records';
import { DEFINITIONS_VERSION_COLUMN, definitionsVersion, findOfficeDefinitions, officeDefinitions, type OfficeDefinitions } from './definitions-cache';
import type { ApplicationTable, EventTable, PermitNumberTable, PreparedPermitTable, ServerDatabase, UserTable } from '../db/server-database';
import { engineOf } from '../db/server-engine';
import { stampApplicationChange } from './change-sequence';
import { lockApplicationForDecision } from './application-lock';
import { Rejection, runCommandOnce, SEEN_BEFORE, type PendingLedgerRow, type RecordedCommand } from './command-ledger';
import { resolveAuthor } from './command-authorship';
import { recordPermitNumber, voidPermitNumber } from './reserve-permit-number';
import { numberAndRenderPermit, permitPreparation, readPreparedPermit, warmPermitPreparation, writePreparedPermit } from './prepare-permit';

/**
 * Applies one transition command at most once. The server is the judge of every role and
 * transition (shared/workflow-rules.ts, the same rule the desk pre-checks with): the desk's own
 * checks are a convenience, never trusted. The command is booked to and judged as its verified
 * author (command-authorship.ts), whoever's token pushed it; a command whose authorship does
 * not verify is answered without touching the ledger, so it cannot use up its id.
 */
export async function applyCommand(db: Kysely<ServerDatabase>, pusher: UserTable, command: TransitionCommand, now = new Date()): Promise<CommandResult> {
  const content = transitionContent(command);
  const authorship = await resolveAuthor(db, pusher, content, command, now);
  if (!authorship.ok) return { id: command.id, status: 'rejected', code: authorship.code, message: authorship.message };
  const { author } = authorship;
  // as of the request's start (the pusher's sign-in check read the version); on PostgreSQL the
  // decision is judged with them if the closing statement finds them still current (transition)
  const definitions = await findOfficeDefinitions(db, author.office_id, pusher);
  // a numbering step prepares the final permit in its transaction: its signer's revocation data is fetched before, not under the write lock
  if (definitions?.workflows.some((w) => w.stages.some((s) => s.actions.some((a) => a.id === command.action && a.reservesPermitNumber)))) {
    await warmPermitPreparation(db, definitions, now);
  }
  const booking = { author, pushedBy: pusher, contentHash: commandContentHash(content, author.id) };
  // the ledger row is booked with the file's lock (on PostgreSQL in the same statement: a round trip fewer)
  const decide = (preRead: OfficeDefinitions | undefined) =>
    runCommandOnce(db, booking, command.id, now, (trx, pending) => transition(trx, author, command, now, preRead, pending), { bookInApply: true });
  try {
    return await decide(definitions);
  } catch (error) {
    // judged with definitions changed meanwhile: rolled back, and judged again with those read under the lock
    if (error instanceof DefinitionsMoved) return decide(undefined);
    throw error;
  }
}

/**
 * Thrown in a decision's transaction on PostgreSQL when the definitions it was judged with are no
 * longer the current ones: the transaction rolls back (nothing recorded, no number taken) and the
 * decision is judged again.
 */
class DefinitionsMoved extends Error {}

type Verdict = Extract<RuleVerdict, { ok: true }>;

/** What a caller may already know about the file, read under its row lock (application-lock.ts), so the judge need not read it again. */
export interface KnownAboutFile {
  definitions?: OfficeDefinitions;
  claim?: { user_id: string; user_name: string } | null;
  signed?: boolean;
  /** the national records of the applicant's NIK */
  references?: ReferenceRecord[];
}

/** Judges an attempt on a file as the server sees it: its stage, checklist, records, number and signature. */
export async function judgeOnServer(
  trx: Transaction<ServerDatabase>,
  user: UserTable,
  app: Selectable<ApplicationTable>,
  attempt: Pick<ActionAttempt, 'actionId' | 'expectedStage' | 'via' | 'reason'> & { checklist: Record<string, boolean> | null },
  now: Date,
  known: KnownAboutFile = {},
): Promise<Verdict & { checklist: Record<string, boolean> }> {
  if (app.office_id !== user.office_id) throw new Rejection('NOT_FOUND', `application ${app.id} does not exist`);
  const definitions = known.definitions ?? (await officeDefinitions(trx, app.office_id));
  const workflow = definitions.workflow(app.workflow_id);
  const permitType = definitions.permitType(app.permit_type_id);
  if (!workflow || !permitType) throw new Error(`application ${app.id} names a workflow or permit type its office does not have`);
  const applicant = JSON.parse(app.applicant) as Applicant;
  const references = known.references ?? (await trx.selectFrom('reference_records').selectAll().where('nik', '=', applicant.nik).execute()).map(referenceFromRow);
  const signed =
    known.signed ?? (await trx.selectFrom('issued_permits').select('application_id').where('application_id', '=', app.id).executeTakeFirst()) !== undefined;
  const checklist = { ...(JSON.parse(app.checklist) as Record<string, boolean>), ...(attempt.checklist ?? {}) };
  const verdict = judgeAction({
    workflow,
    currentStage: app.stage,
    expectedStage: attempt.expectedStage,
    role: user.role as Role,
    actionId: attempt.actionId,
    via: attempt.via,
    requirementIds: permitType.requirements.map((r) => r.id),
    checklist,
    reason: attempt.reason,
    conformityFindings: conformityFindings(applicant, references, calendarDateIn(now, definitions.office.timeZone)).length,
    hasPermitNumber: app.permit_number !== null,
    hasVerifiedSignature: signed,
  });
  if (!verdict.ok) throw new Rejection(verdict.code, verdict.message);
  const claim = known.claim !== undefined ? known.claim : await trx.selectFrom('claims').select(['user_id', 'user_name']).where('application_id', '=', app.id).executeTakeFirst();
  if (claim && claim.user_id !== user.id) throw new Rejection('CLAIMED_BY_OTHER', `${claim.user_name} is working on this file`);
  return { ...verdict, checklist };
}

/**
 * What follows a step on the server for any action: the chain's numbering step numbers the
 * file and prepares its final permit (prepare-permit.ts), in the same transaction; a file that
 * ends without a permit voids its number. `known.app` is the file's row as locked (its number
 * not yet given), `known.definitions` its office's definitions read under the lock.
 */
export async function applyStepEffects(
  trx: Transaction<ServerDatabase>,
  applicationId: string,
  verdict: Verdict,
  now: Date,
  known: { claimed?: boolean; app?: Selectable<ApplicationTable>; definitions?: OfficeDefinitions } = {},
): Promise<void> {
  if (verdict.action.reservesPermitNumber) {
    const app = known.app ?? (await trx.selectFrom('applications').selectAll().where('id', '=', applicationId).executeTakeFirstOrThrow());
    const { number, prepared } = await numberedPermit(trx, app, known.definitions, now);
    if (number) await recordPermitNumber(trx, number);
    await writePreparedPermit(trx, prepared);
  }
  if (verdict.target.outcome && verdict.target.outcome !== 'issued') await voidPermitNumber(trx, applicationId, now);
  // the file moves on: whoever had taken it is done with it
  if (known.claimed !== false) await trx.deleteFrom('claims').where('application_id', '=', applicationId).execute();
}

/**
 * A decision on a file, judged under the file's lock by the office's definitions as they are now.
 *
 * On PostgreSQL the definitions the push read before the lock (`preRead`, read with the request's
 * sign-in check) are used optimistically, sparing a round trip to read the version under the
 * lock: the closing statement writes only if the version is still theirs, and a refusal (or any
 * other failure) stands only after the version is read and found unchanged. Otherwise
 * DefinitionsMoved: the transaction rolls back and the decision is judged again with the
 * definitions read under the lock (applyCommand). SQLite reads the version with the locked file
 * anyway.
 */
async function transition(
  trx: Transaction<ServerDatabase>,
  user: UserTable,
  command: TransitionCommand,
  now: Date,
  preRead: OfficeDefinitions | undefined,
  book: PendingLedgerRow,
): Promise<number | RecordedCommand | typeof SEEN_BEFORE> {
  // another office's file answers as one that does not exist; the row is locked before judging,
  // so a racing command on the same file is judged against the stage this one leaves
  const locked = await lockApplicationForDecision(trx, user, command.applicationId, book);
  if (!locked) throw new Rejection('NOT_FOUND', `application ${command.applicationId} does not exist`);
  if (locked.seenBefore) return SEEN_BEFORE;
  const optimistic = engineOf(trx) === 'postgres' && preRead && preRead.version >= 0 && preRead.office.id === locked.app.office_id ? preRead : undefined;
  const definitions = optimistic ?? (await officeDefinitions(trx, locked.app.office_id));
  try {
    return await decideFile(trx, user, command, now, locked, definitions, optimistic?.version ?? null);
  } catch (error) {
    // a refusal, or a failure such as a workflow the pre-read definitions do not have yet: judged again if they moved
    if (optimistic && !(error instanceof DefinitionsMoved)) {
      const current = await definitionsVersion(trx).catch(() => null);
      if (current !== null && current !== optimistic.version) throw new DefinitionsMoved();
    }
    throw error;
  }
}

/** `checkedVersion`: on PostgreSQL, the definitions version the closing statement requires to be current (null: read under the lock). */
async function decideFile(
  trx: Transaction<ServerDatabase>,
  user: UserTable,
  command: TransitionCommand,
  now: Date,
  { app, claim, signed, references }: NonNullable<Awaited<ReturnType<typeof lockApplicationForDecision>>>,
  definitions: OfficeDefinitions,
  checkedVersion: number | null,
): Promise<number | RecordedCommand> {
  const verdict = await judgeOnServer(
    trx,
    user,
    app,
    { actionId: command.action, expectedStage: command.expectedStage, via: 'decision', reason: command.reason, checklist: command.checklist },
    now,
    { definitions, claim, signed, references },
  );
  const reason = command.reason?.trim() || null;
  const evidence = verdict.action.initialsPreparedPermit
    ? { references: command.evidence?.references ?? [], preparedPermitSha256: await initialledHash(trx, app.id, command.preparedPermitSha256) }
    : command.evidence;
  const at = now.toISOString();
  const event = {
    id: randomUUID(),
    application_id: app.id,
    command_id: command.id,
    actor_name: user.full_name,
    actor_role: user.role,
    action: verdict.action.id,
    from_stage: app.stage,
    to_stage: verdict.action.to,
    reason,
    at,
    evidence: evidence ? JSON.stringify(evidence) : null,
  };
  const move = { stage: verdict.action.to, checklist: JSON.stringify(verdict.checklist), stage_entered_at: at };
  if (engineOf(trx) === 'postgres') {
    // the number and the final permit are written by the closing statement below, and the claim is released by it
    const numbered = verdict.action.reservesPermitNumber ? await numberedPermit(trx, app, definitions, now) : null;
    if (verdict.target.outcome && verdict.target.outcome !== 'issued') await voidPermitNumber(trx, app.id, now);
    const closed = await closeStepOnPostgres(trx, app.stage, move, event, claim !== null, numbered, checkedVersion);
    if (closed.definitionsMoved) throw new DefinitionsMoved();
    if (closed.changeSeq === null) throw new Rejection('STAGE_CHANGED', `the file is no longer at stage ${app.stage}`);
    return { changeSeq: closed.changeSeq, ledgerRecorded: true };
  }
  await applyStepEffects(trx, app.id, verdict, now, { claimed: claim !== null, app, definitions });
  // guarded by the stage judged: under the row lock it always holds; it is the last guard if a writer ever skips the lock.
  // The move and its change value in one statement (change-sequence.ts)
  const changeSeq = await stampApplicationChange(trx, app.id, { set: move, expectedStage: app.stage });
  if (changeSeq === null) throw new Rejection('STAGE_CHANGED', `the file is no longer at stage ${app.stage}`);
  await trx.insertInto('events').values(event).execute();
  return changeSeq;
}

/** The numbering step's number (when the file has none yet) and its final permit, taken and rendered, not yet written. */
interface NumberedPermit {
  number: PermitNumberTable | null;
  prepared: PreparedPermitTable;
}

/**
 * Everything the permit needs is read, and the permit rendered, before the number is taken: from
 * taking it until commit, the office's next numbering of this code waits for this transaction
 * (reserve-permit-number.ts, prepare-permit.ts numberAndRenderPermit).
 */
async function numberedPermit(trx: Transaction<ServerDatabase>, app: Selectable<ApplicationTable>, definitions: OfficeDefinitions | undefined, now: Date): Promise<NumberedPermit> {
  const { number, fresh, prepared } = await numberAndRenderPermit(trx, app, await permitPreparation(trx, app, now, definitions), now);
  return { number: fresh ? number : null, prepared };
}

/**
 * PostgreSQL: the step's closing writes in one statement instead of four to seven round trips:
 * the file moves (guarded by the stage judged) and takes its change value, its claim is
 * released, its event is written, the command's ledger row (command-ledger.ts) says accepted
 * with that value, and at the numbering step its number enters the register and its prepared
 * permit is stored — one round trip between taking the number and the commit. The transaction
 * id is assigned before nextval, as change-sequence.ts requires. With `definitionsVersion`, it
 * writes only while that is still the definitions' version.
 * Answers the change value, or null when a guard did not hold (nothing written then), and
 * whether the definitions' version had moved.
 */
async function closeStepOnPostgres(
  trx: Transaction<ServerDatabase>,
  fromStage: string,
  move: { stage: string; checklist: string; stage_entered_at: string },
  event: Omit<Insertable<EventTable>, 'seq'> & { command_id: string },
  claimed: boolean,
  numbered: NumberedPermit | null,
  definitionsVersion: number | null,
): Promise<{ changeSeq: number | null; definitionsMoved: boolean }> {
  const number = numbered?.number ?? null;
  const prepared = numbered?.prepared ?? null;
  const { rows } = await sql<{ change_seq: number | null; definitions_moved: boolean }>`
    WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
    moved AS (
      UPDATE applications
      SET stage = ${move.stage}, checklist = ${move.checklist}, stage_entered_at = ${move.stage_entered_at},
          permit_number = coalesce(${number?.permit_number ?? null}::text, applications.permit_number),
          verification_id = coalesce(${number?.verification_id ?? null}::text, applications.verification_id),
          change_seq = nextval('change_seq'), version = applications.version + 1
      FROM tx
      WHERE applications.id = ${event.application_id} AND applications.stage = ${fromStage}
        AND (${definitionsVersion}::integer IS NULL OR ${DEFINITIONS_VERSION_COLUMN} = ${definitionsVersion}::integer)
      RETURNING applications.id, applications.change_seq
    ),
    released AS (
      DELETE FROM claims USING moved WHERE ${claimed} AND claims.application_id = moved.id
    ),
    recorded AS (
      INSERT INTO events (id, application_id, command_id, actor_name, actor_role, action, from_stage, to_stage, reason, at, evidence)
      SELECT ${event.id}, moved.id, ${event.command_id}, ${event.actor_name}, ${event.actor_role}::text, ${event.action}, ${event.from_stage}::text,
             ${event.to_stage}, ${event.reason}::text, ${event.at}, ${event.evidence}::text
      FROM moved
    ),
    ledger AS (
      UPDATE commands SET status = 'accepted', change_seq = moved.change_seq FROM moved WHERE commands.id = ${event.command_id}
    ),
    registered AS (
      INSERT INTO permit_numbers (application_id, office_id, year, code, sequence, permit_number, verification_id, reserved_at, voided_at)
      SELECT moved.id, ${number?.office_id ?? null}::text, ${number?.year ?? null}::integer, ${number?.code ?? null}::text, ${number?.sequence ?? null}::integer,
             ${number?.permit_number ?? null}::text, ${number?.verification_id ?? null}::text, ${number?.reserved_at ?? null}::text, NULL
      FROM moved WHERE ${number !== null}
    ),
    stored AS (
      INSERT INTO prepared_permits (application_id, sha256, pdf, certificate_sha256, prepared_at)
      SELECT moved.id, ${prepared?.sha256 ?? null}::text, ${prepared?.pdf ?? null}::bytea, ${prepared?.certificate_sha256 ?? null}::text, ${prepared?.prepared_at ?? null}::text
      FROM moved WHERE ${prepared !== null}
      ON CONFLICT (application_id) DO UPDATE
        SET sha256 = excluded.sha256, pdf = excluded.pdf, certificate_sha256 = excluded.certificate_sha256, prepared_at = excluded.prepared_at
    )
    SELECT (SELECT change_seq FROM moved) AS change_seq,
           ${definitionsVersion}::integer IS NOT NULL
             AND ${DEFINITIONS_VERSION_COLUMN} IS DISTINCT FROM ${definitionsVersion}::integer AS definitions_moved`.execute(trx);
  const row = rows[0]!;
  return { changeSeq: row.change_seq === null ? null : Number(row.change_seq), definitionsMoved: row.definitions_moved };
}

/**
 * A paraf initials the prepared permit: the hash the desk showed must be the stored prepared
 * permit's, else the official initialled other bytes (an older preparation, or none at all).
 */
async function initialledHash(trx: Transaction<ServerDatabase>, applicationId: string, shown: string | undefined): Promise<string> {
  const prepared = await readPreparedPermit(trx, applicationId);
  if (!prepared) throw new Rejection('PARAF_HASH_MISMATCH', 'no permit has been prepared for this file: there is nothing to initial');
  if (shown !== prepared.sha256) {
    throw new Rejection('PARAF_HASH_MISMATCH', `the permit initialled (${shown ?? 'no hash'}) is not the permit prepared (${prepared.sha256})`);
  }
  return prepared.sha256;
}
