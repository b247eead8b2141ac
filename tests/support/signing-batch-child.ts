// Runs one signing batch in its own process, so a test can kill it mid-way. Prints "started"
// once the batch runs and "signed <applicationId>" for each permit the batch reports signed
// (acknowledged to the user), then "done".
// argv: cacheFile signedDir serverUrl certificatePath passphrase
import { createDeskServices } from '../../main/services/create-desk-services';
import { createDeskClient } from '../../main/services/desk-client';
import { DEMO_PASSWORD } from '../../server/seed/demo-configuration';

const [cacheFile, signedDir, serverUrl, certificatePath, passphrase] = process.argv.slice(2) as [string, string, string, string, string];
const desk = await createDeskServices({ cacheFile, signedDir, serverUrl, syncIntervalMs: 0 });
const { callOk } = createDeskClient(desk);
await callOk('session.signIn', { username: 'kadis', password: DEMO_PASSWORD });
await callOk('signing.setCertificatePath', { path: certificatePath });
const { items } = await callOk('queue.list', { limit: 500 });
// the Kepala Dinas's review: each prepared permit on screen, its hash what the batch must sign
const reviewedSha256: Record<string, string> = {};
for (const i of items) reviewedSha256[i.id] = (await callOk('signing.prepared', { applicationId: i.id })).sha256;
let batch = await callOk('signing.start', { applicationIds: items.map((i) => i.id), passphrase, reviewedSha256 });
console.log('started');
const reported = new Set<string>();
for (;;) {
  for (const item of batch.items) {
    if (item.status === 'signed' && !reported.has(item.applicationId)) {
      reported.add(item.applicationId);
      console.log(`signed ${item.applicationId}`);
    }
  }
  if (batch.finished) break;
  await new Promise((resolve) => setTimeout(resolve, 2));
  batch = await callOk('signing.progress', { batchId: batch.id });
}
console.log('done');
await desk.close();
