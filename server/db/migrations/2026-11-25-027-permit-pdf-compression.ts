import { sql, type Kysely } from 'kysely';
import { engineOf } from '../server-engine';

// Frozen in time: a migration never imports the live schema types.
//
// PostgreSQL: the permits' PDFs (prepared, and as signed) are compressed out of line with lz4
// instead of the default pglz. A prepared permit is written inside every numbering step, and
// pglz compressing its 55 KB took about twice the CPU of lz4, which also packs it a little
// smaller. Values already stored stay as they are. A server built without lz4 keeps pglz.
// SQLite stores blobs as they are.
const PDF_COLUMNS = [
  ['prepared_permits', 'pdf'],
  ['issued_permits', 'pdf'],
] as const;

async function setCompression(db: Kysely<any>, method: 'lz4' | 'pglz'): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const [table, column] of PDF_COLUMNS) {
    // names and method are this file's constants; a DO block takes no parameters
    await sql.raw(`DO $$ BEGIN ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION ${method}; EXCEPTION WHEN feature_not_supported THEN NULL; END $$`).execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'lz4');
}

export async function down(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'pglz');
}
