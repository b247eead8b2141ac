// Runs one signing batch in its own process, so a test can kill it mid-way.
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
const { items } = await must('queue.list', {});
let batch = await must('signing.start', { applicationIds: items.map((i: { id: string }) => i.id), passphrase });
let reported = -1;
while (!batch.finished) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  batch = await must('signing.progress', { batchId: batch.id });
  const signed = batch.items.filter((i: { status: string }) => i.status === 'signed').length;
  if (signed !== reported) console.log(`signed ${(reported = signed)}`);
}
console.log('done');
await desk.close();
