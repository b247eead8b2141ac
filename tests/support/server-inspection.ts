import { readServerDb } from './office-server';

export interface ServerEventRow {
  action: string;
  actor_role: string | null;
  actor_name: string;
  from_stage: string | null;
  to_stage: string;
  reason: string | null;
  command_id: string | null;
  evidence: string | null;
}

/** Reads the central server's records directly (its SQLite file, or its PostgreSQL database in a PostgreSQL run): what the office really holds, not what a desk thinks. */
const readServer = readServerDb;

export function serverStage(file: string, applicationId: string): string {
  return readServer(file, (db) => (db.prepare('SELECT stage FROM applications WHERE id = ?').get(applicationId) as { stage: string }).stage);
}

export function serverEvents(file: string, applicationId: string): ServerEventRow[] {
  return readServer(
    file,
    (db) =>
      db
        .prepare('SELECT action, actor_role, actor_name, from_stage, to_stage, reason, command_id, evidence FROM events WHERE application_id = ? ORDER BY seq')
        .all(applicationId) as ServerEventRow[],
  );
}

export function serverEventCount(file: string, commandId: string): number {
  return readServer(file, (db) => (db.prepare('SELECT COUNT(*) AS n FROM events WHERE command_id = ?').get(commandId) as { n: number }).n);
}

export function serverPermitNumber(file: string, applicationId: string): string | null {
  return readServer(file, (db) => (db.prepare('SELECT permit_number FROM applications WHERE id = ?').get(applicationId) as { permit_number: string | null }).permit_number);
}

export interface IssuedPermitRow {
  permit_number: string;
  verification_id: string;
  sha256: string;
  signer_name: string;
  certificate_issuer: string | null;
  pades_level: string | null;
  time_source: string | null;
  issued_at: string;
}

export function serverIssuedPermit(file: string, applicationId: string): IssuedPermitRow | undefined {
  return readServer(
    file,
    (db) =>
      db
        .prepare('SELECT permit_number, verification_id, sha256, signer_name, certificate_issuer, pades_level, time_source, issued_at FROM issued_permits WHERE application_id = ?')
        .get(applicationId) as IssuedPermitRow | undefined,
  );
}
