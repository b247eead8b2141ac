import { sql, type Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
//
// The queue's "Lewat mutu baku tahap" chip counts and filters the files past their stage's
// standard time: the files at a stage of a chain that entered it at or before an instant the desk
// works out once per stage. This index makes that one index range per stage, read without the
// wide `data` rows. It is partial (every file has a workflow) only so that the planner considers
// it just for queries that name the workflow, as those do: a plain queue page keeps its
// sort-order indexes even where stale statistics would make this one look more selective.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX applications_stage_entered ON applications (stage, workflow_id, json_extract(data, '$.stageEnteredAt'))
    WHERE workflow_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX applications_stage_entered`.execute(db);
}
