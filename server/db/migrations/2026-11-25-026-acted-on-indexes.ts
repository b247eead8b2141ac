import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// Indexes for "which of these files has this official acted on" (server/app/access-scope.ts),
// asked by every pull of every desk: from the official's commands to their events. Without them
// the database walked every event of the page's files and looked up each one's command (in
// bench:server a quarter of PostgreSQL's CPU).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('commands_user').on('commands').column('user_id').execute();
  await db.schema.createIndex('events_command').on('events').column('command_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_command').execute();
  await db.schema.dropIndex('commands_user').execute();
}
