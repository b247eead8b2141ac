import { sql, type Kysely } from 'kysely';
import { engineOf } from '../server-engine';

// Frozen in time: a migration never imports the live schema types.
//
// PostgreSQL: the permits' PDFs (prepared, and as signed) are compressed out of line with lz4
// instead of the default pglz. A prepared permit is written inside every numbering step, and
// pglz compressing its 55 KB took about twice the CPU of lz4, which also packs it a little
// smaller. Values already stored stay as they are (the change is to the catalog only, under a
// brief exclusive lock of each table). A server built without lz4 (feature_not_supported), or
// older than PostgreSQL 14, which has no SET COMPRESSION (a syntax error), keeps its default;
// down restores the default. SQLite stores blobs as they are.
const PDF_COLUMNS = [
  ['prepared_permits', 'pdf'],
  ['issued_permits', 'pdf'],
] as const;

async function setCompression(db: Kysely<any>, method: 'lz4' | 'DEFAULT'): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const [table, column] of PDF_COLUMNS) {
    // names and method are this file's constants; a DO block takes no parameters, and EXECUTE
    // parses the statement when it runs, so the handler also catches a server that cannot parse it
    await sql.raw(`DO $$ BEGIN EXECUTE 'ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION ${method}'; EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL; END $$`).execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'lz4');
}

export async function down(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'DEFAULT');
}
