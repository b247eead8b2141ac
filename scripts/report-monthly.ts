import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openServerDb } from '../server/db/open-server-db';
import { buildMonthlyReport, monthlyReportPdf, monthlyReportXlsx } from '../server/app/monthly-report';
import { resolveOfficeId } from '../server/app/server-records';

/**
 * `npm run report:monthly -- --month YYYY-MM [--db FILE] [--office ID] --out DIR`: the laporan kinerja
 * pelayanan of a month as PDF and XLSX, from the central server's database, through the same
 * monitoring figures the Kepala Dinas's screen shows.
 */
const { values } = parseArgs({ options: { month: { type: 'string' }, db: { type: 'string', default: '.data/embedded-server.sqlite' }, out: { type: 'string' }, now: { type: 'string' }, office: { type: 'string' } } });
if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month) || !values.out) {
  console.error('usage: npm run report:monthly -- --month YYYY-MM [--db FILE] [--office ID] --out DIR');
  process.exit(2);
}
const { db, close } = await openServerDb(values.db!);
try {
  // --office may be left out on a server that holds one office
  const report = await buildMonthlyReport(db, await resolveOfficeId(db, values.office), values.month, values.now ? new Date(values.now) : new Date());
  mkdirSync(values.out, { recursive: true });
  const base = join(values.out, `laporan-kinerja-${values.month}`);
  // written to a temporary name and renamed: a reader never sees half a report
  const write = (file: string, bytes: Uint8Array) => {
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
  };
  write(`${base}.pdf`, await monthlyReportPdf(report));
  write(`${base}.xlsx`, await monthlyReportXlsx(report));
  const f = report.figures;
  console.log(JSON.stringify({ pdf: `${base}.pdf`, xlsx: `${base}.xlsx`, received: f.received, completed: f.completed, overdue: f.overdue.length, complaints: report.complaints.total }));
} finally {
  await close();
}
