import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the live schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // a number whose file was rejected or withdrawn stays in the register as batal, never reused
  await db.schema.alterTable('permit_numbers').addColumn('voided_at', 'text').execute();
  // what the server verified in the signed PDF, so the register and the public page tell the truth
  await db.schema.alterTable('issued_permits').addColumn('signer_serial', 'text').execute();
  await db.schema.alterTable('issued_permits').addColumn('certificate_sha256', 'text').execute();
  await db.schema.alterTable('issued_permits').addColumn('certificate_issuer', 'text').execute();
  await db.schema.alterTable('issued_permits').addColumn('pades_level', 'text').execute();
  await db.schema.alterTable('issued_permits').addColumn('time_source', 'text').execute();
  await db.schema.alterTable('issued_permits').addColumn('issued_by_user_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['issued_by_user_id', 'time_source', 'pades_level', 'certificate_issuer', 'certificate_sha256', 'signer_serial']) {
    await db.schema.alterTable('issued_permits').dropColumn(column).execute();
  }
  await db.schema.alterTable('permit_numbers').dropColumn('voided_at').execute();
}
