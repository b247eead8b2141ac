import Database from 'better-sqlite3';

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

/** Reads the central server's file directly: what the office really holds, not what a desk thinks. */
function readServer<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

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
