import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import * as initial from '../../server/db/migrations/2026-11-23-001-initial';
import * as issuedPermits from '../../server/db/migrations/2026-11-23-002-issued-permits';
import * as claims from '../../server/db/migrations/2026-11-23-003-claims';
import * as eventEvidence from '../../server/db/migrations/2026-11-23-004-event-evidence';
import * as signedPermitTrust from '../../server/db/migrations/2026-11-24-005-signed-permit-trust';
import { openServerDb } from '../../server/db/open-server-db';
import { userForToken } from '../../server/app/auth-tokens';
import { applyCommand } from '../../server/app/apply-command';
import { seedDemoDatabase } from '../../server/seed/seed-demo-database';
import type { TransitionCommand } from '../../shared/sync-protocol';
import { makeTempDir } from '../support/temp-dir';

const temp = makeTempDir('server-auth-migrations');
afterAll(() => temp.remove());

const BEFORE: Record<string, Migration> = {
  '2026-11-23-001-initial': initial,
  '2026-11-23-002-issued-permits': issuedPermits,
  '2026-11-23-003-claims': claims,
  '2026-11-23-004-event-evidence': eventEvidence,
  '2026-11-24-005-signed-permit-trust': signedPermitTrust,
};

describe('server migrations 006–007 (author sessions, ledger content hash)', () => {
  it('keep the tokens and ledger of a database from before: a token still signs in, an old command id still answers as before', async () => {
    const file = join(temp.dir, 'server.sqlite');
    // a database at 005, seeded, with a token and a command as the server then wrote them
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => BEFORE } }).migrateToLatest();
    expect(error).toBeUndefined();
    await old.destroy();
    const sqlite = new Database(file);
    const users = [
      { id: 'u-penata', username: 'penata', role: 'penata_perizinan' },
      { id: 'u-penata2', username: 'penata2', role: 'penata_perizinan' },
    ];
    for (const u of users) sqlite.prepare('INSERT INTO users (id, username, full_name, nip, role, password_hash, active) VALUES (?, ?, ?, ?, ?, ?, 1)').run(u.id, u.username, u.username, '1', u.role, 'scrypt$x');
    const token = 'old-token-from-before-sessions-0123456789';
    sqlite.prepare('INSERT INTO auth_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)').run(createHash('sha256').update(token).digest('hex'), 'u-penata', new Date(Date.now() + 3_600_000).toISOString());
    const commandId = randomUUID();
    sqlite.prepare("INSERT INTO commands (id, user_id, received_at, status, code, message, change_seq) VALUES (?, 'u-penata', ?, 'rejected', 'STAGE_CHANGED', 'moved on', NULL)").run(commandId, new Date().toISOString());
    sqlite.close();

    const { db, close } = await openServerDb(file);
    try {
      const penata = await userForToken(db, token);
      expect(penata?.username).toBe('penata');
      const penata2 = await db.selectFrom('users').selectAll().where('username', '=', 'penata2').executeTakeFirstOrThrow();
      expect(await db.selectFrom('commands').select(['content_hash', 'pushed_by_user_id']).where('id', '=', commandId).executeTakeFirstOrThrow()).toEqual({ content_hash: null, pushed_by_user_id: null });
      expect(await db.selectFrom('auth_sessions').selectAll().execute()).toEqual([]);

      const replay: TransitionCommand = { id: commandId, type: 'transition', applicationId: 'x', action: 'teruskan', expectedStage: 'pemeriksaan', reason: null, checklist: null, decidedAt: new Date().toISOString(), evidence: null };
      // a row from before the hash: the same official gets the first answer, another official is refused
      expect(await applyCommand(db, penata!, replay)).toEqual({ id: commandId, status: 'rejected', code: 'STAGE_CHANGED', message: 'moved on' });
      expect(await applyCommand(db, penata2, replay)).toMatchObject({ status: 'rejected', code: 'COMMAND_ID_REUSED' });
    } finally {
      await close();
    }
  });

  it('seed and serve as before on a new database', async () => {
    const { db, close } = await openServerDb(join(temp.dir, 'fresh.sqlite'));
    try {
      await seedDemoDatabase(db, { applications: 1, verificationBaseUrl: 'http://127.0.0.1' });
      expect((await db.selectFrom('users').select('id').execute()).length).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });
});
