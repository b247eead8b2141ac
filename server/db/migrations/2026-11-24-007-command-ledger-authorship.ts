import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // SHA-256 of the command's canonical content and author: the same id with other content is refused.
  // Rows from before have none and are compared by their official only.
  await db.schema.alterTable('commands').addColumn('content_hash', 'text').execute();
  // user_id is the official the command is booked to (its author); this is whose token carried it
  await db.schema.alterTable('commands').addColumn('pushed_by_user_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('commands').dropColumn('pushed_by_user_id').execute();
  await db.schema.alterTable('commands').dropColumn('content_hash').execute();
}
