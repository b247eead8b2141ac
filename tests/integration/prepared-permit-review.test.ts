import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOfficeAndDesk } from '../support/desk-under-test';

/**
 * `signing.prepared`: the Kepala Dinas's review gets the final permit exactly as the batch will
 * sign it, the same bytes every time, and only for a file at a stage his role signs.
 */
let office: Awaited<ReturnType<typeof startOfficeAndDesk>>;

beforeAll(async () => {
  office = await startOfficeAndDesk(24);
});
afterAll(async () => {
  await office?.close();
});

describe('the prepared permit for review', () => {
  it('hands the Kepala Dinas the prepared bytes with their SHA-256, the same on every call', async () => {
    const { call, callOk, signIn } = await office.openDesk('kadis');
    expect(await call('signing.prepared', { applicationId: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    await signIn('kadis');
    const { items } = await callOk('queue.list', { limit: 100 });
    const draft = items.find((i) => i.stage === 'penandatanganan');
    expect(draft, 'a draft at the signing stage in the demo office').toBeDefined();

    const first = await callOk('signing.prepared', { applicationId: draft!.id });
    const bytes = Buffer.from(first.base64, 'base64');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(first.permitNumber).toMatch(/^503\//);
    // an empty signature waits in it: everything but the CMS is already there
    expect(bytes.includes(Buffer.from('/ByteRange'))).toBe(true);
    expect(await callOk('signing.prepared', { applicationId: draft!.id })).toEqual(first);
  });

  it('refuses bad input, an unknown file, and another role', async () => {
    const kadis = await office.openDesk('kadis-refusals');
    await kadis.signIn('kadis');
    expect(await kadis.call('signing.prepared', { applicationId: '' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await kadis.call('signing.prepared', { applicationId: 'a', extra: 1 } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await kadis.call('signing.prepared', { applicationId: 'no-such-file' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // the koordinator sees a file before it reaches signing: not a permit to prepare for him
    const koordinator = await office.openDesk('koordinator');
    await koordinator.signIn('koordinator');
    const { items } = await koordinator.callOk('queue.list', { limit: 100 });
    const atVerification = items.find((i) => i.stage === 'verifikasi_draf');
    expect(atVerification).toBeDefined();
    expect(await koordinator.call('signing.prepared', { applicationId: atVerification!.id })).toMatchObject({ ok: false, error: { code: 'TRANSITION_NOT_ALLOWED' } });
  });
});
