import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatIndonesianDateTime, renderVerificationPage } from '../../server/app/verification-page';
import type { VerificationResponse } from '../../shared/sync-protocol';

const SHA = 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778';
const HOLDER = 'Rina Marlina Sari, A.Md.RO.';
const NIK = '1871024507900003';

function response(overrides: Partial<VerificationResponse> = {}): VerificationResponse {
  return {
    status: 'valid',
    verificationId: 'vrf-7f3a9c',
    permitNumber: '503/0123/SIPRO/DPMPTSP/XI/2026',
    permitTitle: 'Surat Izin Refraksionis Optisien',
    holderName: HOLDER,
    issuedAt: '2026-11-24T07:05:00.000Z',
    timeSource: 'time_stamp',
    sha256: SHA,
    signerName: 'Drs. Hendra Saputra, M.M.',
    certificateIssuer: 'Balai Sertifikasi Elektronik (BSrE)',
    padesLevel: 'B-T',
    office: { name: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu', city: 'Kota Metro', timeZone: 'Asia/Jakarta' },
    revokedAt: null,
    voidedAt: null,
    ...overrides,
  };
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

function inlineStyles(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
}

function directive(csp: string, name: string): string[] {
  const found = csp.split(';').map((d) => d.trim().split(/\s+/)).find(([n]) => n === name);
  return found ? found.slice(1) : [];
}

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** What a reader sees: the markup's text, tags removed and entities left as written. */
const visibleText = (html: string) => html.replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ');

describe('the public verification page', () => {
  it('says SAH for a valid permit, with its number, holder, signer, issuer, time, PAdES level and SHA-256', () => {
    const { html } = renderVerificationPage(response());
    expect(html).toContain('<html lang="id">');
    expect(html).toContain('Dokumen SAH');
    expect(html).toMatch(/<h2 class="status-word" id="status-title">SAH<\/h2>/);
    expect(html).toContain('Izin ini sah, diterbitkan dan ditandatangani secara elektronik.');
    expect(html).toContain('503/0123/SIPRO/DPMPTSP/XI/2026');
    expect(html).toContain('Surat Izin Refraksionis Optisien');
    expect(html).toContain(HOLDER);
    expect(html).toContain('Drs. Hendra Saputra, M.M.');
    expect(html).toContain('Balai Sertifikasi Elektronik (BSrE)');
    expect(html).toContain('24 November 2026 pukul 14.05 WIB');
    expect(html).toContain('cap waktu (time-stamp) otoritas cap waktu tepercaya (TSA)');
    expect(html).toContain('PAdES B-T');
    expect(html).toContain(SHA);
    expect(html).toContain('Bandingkan berkas PDF Anda');
    expect(html).toContain('tidak diunggah');
    expect(html).toContain(`data-sha256="${SHA}"`);
    expect(html).toContain('Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu');
    expect(html).toContain('Kota Metro');
  });

  it('tells a time from the server clock apart from a time-stamp', () => {
    const { html } = renderVerificationPage(response({ timeSource: 'server_clock', padesLevel: 'B-B' }));
    expect(html).toContain('jam server DPMPTSP');
    expect(html).not.toContain('otoritas cap waktu tepercaya (TSA)');
    expect(html).toContain('PAdES B-B');
  });

  it('writes the time in the office zone: WIB, WITA, WIT', () => {
    expect(formatIndonesianDateTime('2026-11-24T07:05:00Z', 'Asia/Jakarta')).toBe('24 November 2026 pukul 14.05 WIB');
    expect(formatIndonesianDateTime('2026-11-24T07:05:00Z', 'Asia/Makassar')).toBe('24 November 2026 pukul 15.05 WITA');
    expect(formatIndonesianDateTime('2026-11-24T07:05:00Z', 'Asia/Jayapura')).toBe('24 November 2026 pukul 16.05 WIT');
    // late evening UTC is the next day in Papua
    expect(formatIndonesianDateTime('2026-03-02T20:30:00Z', 'Asia/Jayapura')).toBe('3 Maret 2026 pukul 05.30 WIT');
    expect(formatIndonesianDateTime('not a date', 'Asia/Jakarta')).toBe('not a date');
    const page = renderVerificationPage(response({ office: { name: 'DPMPTSP', city: 'Kota Jayapura', timeZone: 'Asia/Jayapura' } })).html;
    expect(page).toContain('24 November 2026 pukul 16.05 WIT');
  });

  it('says DICABUT with the date for a revoked permit, and still lets the file be compared', () => {
    const { html } = renderVerificationPage(response({ status: 'revoked', revokedAt: '2026-03-03T03:00:00Z' }));
    expect(html).toMatch(/id="status-title">DICABUT</);
    expect(html).toContain('dicabut pada 3 Maret 2026 pukul 10.00 WIB');
    expect(html).toContain('status-revoked');
    expect(html).toContain('data-status="revoked"');
    expect(html).toContain(HOLDER);
  });

  it.each([
    ['void', 'BATAL', 'ditolak atau ditarik kembali'],
    ['not_issued', 'BELUM TERBIT', 'belum diterbitkan'],
    ['unknown', 'TIDAK DIKENAL', 'Waspadai pemalsuan'],
  ] as const)('shows %s as %s with no personal data, even when the response carries some', (status, word, text) => {
    // the server must not send these, but the page does not rely on it
    const { html } = renderVerificationPage(
      response({ status, holderName: `${HOLDER} ${NIK}`, voidedAt: status === 'void' ? '2026-11-20T02:00:00Z' : null }),
    );
    expect(html).toContain(`id="status-title">${word}<`);
    expect(html).toContain(text);
    expect(html).not.toContain(HOLDER);
    expect(html).not.toContain(NIK);
    expect(html).not.toMatch(/\d{16}/);
    expect(html).not.toContain('Hendra Saputra');
    expect(html).not.toContain('Pemegang izin');
    // nothing to compare a file with
    expect(html).not.toContain('Bandingkan berkas PDF Anda');
    expect(html).not.toContain('<script');
    expect(html).not.toContain(SHA);
  });

  it('shows the void date and the reserved number, never a number for an unknown code', () => {
    const voided = renderVerificationPage(response({ status: 'void', holderName: null, voidedAt: '2026-11-20T02:00:00Z' })).html;
    expect(voided).toContain('Dibatalkan pada');
    expect(voided).toContain('20 November 2026 pukul 09.00 WIB');
    expect(voided).toContain('503/0123/SIPRO/DPMPTSP/XI/2026');
    const reserved = renderVerificationPage(response({ status: 'not_issued', holderName: null, sha256: null })).html;
    expect(reserved).toContain('503/0123/SIPRO/DPMPTSP/XI/2026');
    const unknown = renderVerificationPage(
      response({ status: 'unknown', verificationId: 'SAH-hubungi-0812', permitNumber: 'palsu/1', permitTitle: null, holderName: null }),
    ).html;
    expect(unknown).not.toContain('palsu/1');
    // the scanned code is the forger's text: it is not echoed on an official page
    expect(unknown).not.toContain('SAH-hubungi-0812');
    expect(unknown).toContain('Apa yang harus dilakukan?');
  });

  it('escapes every value: a hostile holder, title, office or hash cannot inject markup', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const { html } = renderVerificationPage(
      response({
        holderName: hostile,
        permitTitle: hostile,
        permitNumber: hostile,
        signerName: hostile,
        certificateIssuer: hostile,
        office: { name: hostile, city: hostile, timeZone: 'Asia/Jakarta' },
      }),
    );
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;&#34;&#39;&#38;');
    expect(html.match(/<script/g)).toHaveLength(1);
    // a hash that is not one is neither shown nor offered for comparison
    const odd = renderVerificationPage(response({ sha256: '"><script>alert(3)</script>' })).html;
    expect(odd).not.toContain('alert(3)');
    expect(odd).not.toContain('Bandingkan berkas PDF Anda');
  });

  it('sends a CSP that allows exactly its own inline script and style, by hash', () => {
    const { html, contentSecurityPolicy: csp } = renderVerificationPage(response());
    const scripts = inlineScripts(html);
    const styles = inlineStyles(html);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(directive(csp, 'default-src')).toEqual(["'none'"]);
    expect(directive(csp, 'script-src')).toEqual([sha256Source(scripts[0]!)]);
    expect(directive(csp, 'style-src')).toEqual([sha256Source(styles[0]!)]);
    expect(directive(csp, 'form-action')).toEqual(["'none'"]);
    expect(directive(csp, 'base-uri')).toEqual(["'none'"]);
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe');
    expect(csp).not.toMatch(/https?:/);
    // no inline handlers or style attributes, which the hashes would not allow
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    // nothing is fetched from anywhere
    expect(html).not.toMatch(/\s(src|href)=/i);
    // the same policy holds for every status (the static style has one hash)
    expect(renderVerificationPage(response({ status: 'unknown' })).contentSecurityPolicy).toBe(csp);
  });

  it('keeps the page readable: headings, the privacy note, a labelled file input', () => {
    const { html } = renderVerificationPage(response());
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    expect(html).toMatch(/<input class="file-input" type="file" id="pdf"/);
    expect(html).toContain('<label class="drop-label" for="pdf">');
    expect(visibleText(html)).toContain('Pilih berkas PDF');
  });
});
