// Runs one signing batch in its own process, so a test can kill it mid-way. Prints "started"
// once the batch runs and "signed <applicationId>" for each permit the batch reports signed
// (acknowledged to the user), then "done".
// argv: cacheFile signedDir serverUrl certificatePath passphrase
import { createDeskServices } from '../../main/services/create-desk-services';
import { dispatchCall } from '../../main/services/dispatch-call';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';

const [cacheFile, signedDir, serverUrl, certificatePath, passphrase] = process.argv.slice(2) as [string, string, string, string, string];
const desk = await createDeskServices({ cacheFile, signedDir, serverUrl, syncIntervalMs: 0 });
const must = async (method: string, input: unknown) => {
  const result = await dispatchCall(desk.handlers, method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code}`);
  return result.value as any;
};
await must('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
await must('signing.setCertificatePath', { path: certificatePath });
const { items } = await must('queue.list', { limit: 500 });
// the Kepala Dinas's review: each prepared permit on screen, its hash what the batch must sign
const reviewedSha256: Record<string, string> = {};
for (const i of items as Array<{ id: string }>) reviewedSha256[i.id] = (await must('signing.prepared', { applicationId: i.id })).sha256;
let batch = await must('signing.start', { applicationIds: items.map((i: { id: string }) => i.id), passphrase, reviewedSha256 });
console.log('started');
const reported = new Set<string>();
for (;;) {
  for (const item of batch.items as Array<{ status: string; applicationId: string }>) {
    if (item.status === 'signed' && !reported.has(item.applicationId)) {
      reported.add(item.applicationId);
      console.log(`signed ${item.applicationId}`);
    }
  }
  if (batch.finished) break;
  await new Promise((resolve) => setTimeout(resolve, 2));
  batch = await must('signing.progress', { batchId: batch.id });
}
console.log('done');
await desk.close();
