import { createHash } from 'node:crypto';
import type { PadesLevel, VerificationResponse } from '../../shared/sync-protocol';

/**
 * The public page a citizen sees after scanning a permit's QR code, usually on a phone.
 *
 * Everything the page needs is inline: one stylesheet and one script, both static text, so
 * the Content-Security-Policy can allow exactly them by hash and nothing else (no external
 * request of any kind). Data reaches the script only through escaped `data-*` attributes.
 * Personal data (the holder, the signer) shows only for a permit that was issued (valid or
 * revoked), whatever else the response carries.
 */

type Status = VerificationResponse['status'];

export interface VerificationPage {
  html: string;
  /** the value for the `Content-Security-Policy` response header */
  contentSecurityPolicy: string;
}

const STYLE = `
:root{--ink:#1b2430;--muted:#4d5866;--line:#d8dee6;--paper:#fff;--bg:#eef2f5;--brand:#0b3d5c;--brand-ink:#fff;
--ok:#116329;--ok-bg:#e6f4ea;--ok-line:#1a7f37;--bad:#a40e26;--bad-bg:#fdecee;--bad-line:#cf222e;
--void:#5b2525;--void-bg:#eef0f2;--void-line:#8c959f;--wait:#7a4a00;--wait-bg:#fff4d6;--wait-line:#bf8700}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.office{background:var(--brand);color:var(--brand-ink)}
.office-inner{max-width:40rem;margin:0 auto;padding:1rem 1.1rem;display:flex;align-items:center;gap:.85rem}
.emblem{flex:none;width:3rem;height:3.4rem}
.office-kicker{margin:0;font-size:.75rem;letter-spacing:.06em;text-transform:uppercase;opacity:.85}
.office-name{margin:.1rem 0 0;font-size:1rem;font-weight:700;line-height:1.3}
.office-city{margin:0;font-size:.9rem;opacity:.9}
main{max-width:40rem;margin:0 auto;padding:1rem 1rem 2rem}
h1{font-size:1.05rem;margin:.4rem .1rem .8rem;color:var(--muted);font-weight:600}
h2{font-size:1.15rem;margin:0 0 .75rem;line-height:1.3}
.card{background:var(--paper);border:1px solid var(--line);border-radius:14px;padding:1.1rem 1.1rem 1.2rem;margin:0 0 1rem}
.status{border-width:2px;border-left-width:8px;text-align:left}
.status-head{display:flex;align-items:center;gap:.75rem}
.status-icon{flex:none;width:3rem;height:3rem}
.status-label{margin:0;font-size:.8rem;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
.status-word{margin:0;font-size:2.3rem;line-height:1.05;font-weight:800;letter-spacing:.02em}
.status-text{margin:.8rem 0 0;font-size:1.08rem;font-weight:600;line-height:1.45}
.status-more{margin:.5rem 0 0}
.status-en{margin:.6rem 0 0;font-size:.85rem;color:var(--muted)}
.status-valid{background:var(--ok-bg);border-color:var(--ok-line);color:var(--ok)}
.status-revoked,.status-unknown{background:var(--bad-bg);border-color:var(--bad-line);color:var(--bad)}
.status-void{background:var(--void-bg);border-color:var(--void-line);color:var(--void)}
.status-not_issued{background:var(--wait-bg);border-color:var(--wait-line);color:var(--wait)}
.status .status-more,.status .status-en{color:var(--ink)}
dl{margin:0}
.row{padding:.65rem 0;border-top:1px solid var(--line)}
.row:first-child{border-top:0;padding-top:0}
dt{font-size:.8rem;font-weight:600;color:var(--muted);letter-spacing:.03em;text-transform:uppercase}
dd{margin:.15rem 0 0;font-size:1.02rem;overflow-wrap:anywhere}
.note{display:block;margin-top:.2rem;font-size:.88rem;color:var(--muted);line-height:1.45}
.level{display:inline-block;padding:.05rem .5rem;border-radius:6px;background:#e8eef5;color:var(--brand);font-weight:700;font-size:.9rem}
code,.hash{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
.hash{font-size:.92rem;word-break:break-all;letter-spacing:.02em}
.compare p{margin:0 0 .8rem}
.drop{position:relative;border:2px dashed #8aa1b5;border-radius:12px;background:#f7fafc;transition:background .15s,border-color .15s}
.drop.over{background:#e6f0f8;border-color:var(--brand)}
.file-input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.drop-label{display:flex;flex-direction:column;align-items:center;gap:.35rem;padding:1.3rem 1rem;cursor:pointer;text-align:center}
.drop-icon{width:2.4rem;height:2.4rem}
.drop-button{display:inline-block;padding:.6rem 1.2rem;border-radius:999px;background:var(--brand);color:#fff;font-weight:700;font-size:1rem}
.drop-hint{font-size:.88rem;color:var(--muted)}
.file-input:focus-visible+.drop-label .drop-button{outline:3px solid #f0a500;outline-offset:3px}
.privacy{display:flex;gap:.5rem;align-items:flex-start;font-size:.9rem;color:var(--muted)}
.privacy svg{flex:none;width:1.1rem;height:1.1rem;margin-top:.18rem}
.result{margin-top:1rem;border-radius:12px}
.result-match,.result-mismatch,.result-error,.result-busy{padding:.9rem 1rem;border:2px solid}
.result-match{background:var(--ok-bg);border-color:var(--ok-line);color:var(--ok)}
.result-mismatch,.result-error{background:var(--bad-bg);border-color:var(--bad-line);color:var(--bad)}
.result-busy{background:#f3f5f7;border-color:var(--line);color:var(--muted)}
.result-title{margin:0;font-weight:800;font-size:1.08rem;line-height:1.4}
.result-detail{margin:.35rem 0 0;color:var(--ink);font-size:.95rem}
.result-hash{margin:.45rem 0 0;color:var(--ink);font-size:.8rem;word-break:break-all}
.advice{margin:.2rem 0 0;padding-left:1.2rem}
.advice li{margin:.25rem 0}
footer{max-width:40rem;margin:0 auto;padding:0 1.1rem 2.5rem;font-size:.85rem;color:var(--muted)}
footer p{margin:.4rem 0}
@media (min-width:42rem){main{padding-top:1.5rem}.status-word{font-size:2.8rem}}
`;

/** Runs in the citizen's browser: hashes the chosen PDF locally and compares it; never uploads. */
const SCRIPT = `
(function () {
  'use strict';
  var zone = document.getElementById('drop');
  var input = document.getElementById('pdf');
  var out = document.getElementById('result');
  if (!zone || !input || !out) return;
  var expected = (zone.getAttribute('data-sha256') || '').toLowerCase();
  var revoked = zone.getAttribute('data-status') === 'revoked';
  var turn = 0;

  function line(cls, text, tag) {
    var el = document.createElement(tag || 'p');
    el.className = cls;
    el.textContent = text;
    out.appendChild(el);
    return el;
  }
  function show(kind, title, detail, hash) {
    out.className = 'result result-' + kind;
    out.textContent = '';
    line('result-title', title);
    if (detail) line('result-detail', detail);
    if (hash) line('result-hash', 'SHA-256 berkas Anda: ' + hash);
  }
  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }
  function isPdf(buffer) {
    var b = new Uint8Array(buffer, 0, Math.min(1024, buffer.byteLength));
    for (var i = 0; i + 4 < b.length; i++) {
      if (b[i] === 37 && b[i + 1] === 80 && b[i + 2] === 68 && b[i + 3] === 70 && b[i + 4] === 45) return true;
    }
    return false;
  }
  async function check(file) {
    if (!file) return;
    var mine = ++turn;
    if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
      show('error', 'Browser ini tidak dapat menghitung sidik jari berkas.', 'Buka halaman ini melalui alamat https:// atau gunakan browser yang lebih baru.');
      return;
    }
    show('busy', 'Menghitung sidik jari berkas\\u2026', file.name);
    try {
      var data = await file.arrayBuffer();
      var digest = hex(await window.crypto.subtle.digest('SHA-256', data));
      if (mine !== turn) return;
      if (digest === expected) {
        show('match', 'COCOK: berkas ini sama persis dengan yang terdaftar.',
          revoked ? file.name + ' \\u2014 namun izin ini telah DICABUT dan tidak berlaku lagi.' : file.name, digest);
      } else {
        show('mismatch', 'TIDAK COCOK: berkas ini berbeda dari yang diterbitkan.',
          file.name + (isPdf(data) ? '' : ' (berkas ini bukan PDF)') +
          ' \\u2014 berkas mungkin telah diubah, atau ini bukan berkas izin yang diterbitkan. Jangan mengandalkan berkas ini.', digest);
      }
    } catch (e) {
      if (mine === turn) show('error', 'Berkas tidak dapat dibaca.', 'Coba pilih berkas itu sekali lagi.');
    }
  }

  input.addEventListener('change', function () { check(input.files && input.files[0]); });
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('over');
    check(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]);
  });
  // a file dropped beside the zone must not make the browser open it in place of this page
  window.addEventListener('dragover', function (e) { e.preventDefault(); });
  window.addEventListener('drop', function (e) { e.preventDefault(); });
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Exactly the inline style and script above; nothing else may load, run, frame or submit. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${cspHash(SCRIPT)}`,
  `style-src ${cspHash(STYLE)}`,
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ZONE_ABBREVIATIONS: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** "24 November 2026 pukul 14.05 WIB", in the office's own zone. */
export function formatIndonesianDateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('id-ID', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  const day = new Intl.DateTimeFormat('id-ID', { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric' }).format(date);
  const time = new Intl.DateTimeFormat('id-ID', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  const abbreviation =
    ZONE_ABBREVIATIONS[zone] ??
    new Intl.DateTimeFormat('id-ID', { timeZone: zone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ??
    zone;
  return `${day} pukul ${time} ${abbreviation}`;
}

const PADES_EXPLANATION: Record<PadesLevel, string> = {
  'B-B': 'Tanda tangan elektronik dasar dengan sertifikat penandatangan: membuktikan siapa yang menandatangani dan bahwa isi berkas tidak diubah sesudahnya.',
  'B-T': 'Tanda tangan dasar ditambah cap waktu (time-stamp) dari otoritas cap waktu tepercaya, yang membuktikan tanda tangan sudah ada pada waktu tersebut.',
  'B-LT': 'Seperti B-T, ditambah data validasi (rantai sertifikat dan status pencabutannya) yang disimpan di dalam berkas, sehingga tanda tangan tetap dapat diperiksa dalam jangka panjang.',
};

const TIME_SOURCE_NOTE: Record<NonNullable<VerificationResponse['timeSource']>, string> = {
  time_stamp: 'Waktu dari cap waktu (time-stamp) otoritas cap waktu tepercaya (TSA).',
  server_clock: 'Waktu dari jam server DPMPTSP; tidak ada cap waktu (time-stamp) TSA.',
};

interface StatusCopy {
  word: string;
  text: string;
  english: string;
  title: string;
}

function statusCopy(result: VerificationResponse, when: (iso: string) => string): StatusCopy {
  switch (result.status) {
    case 'valid':
      return {
        word: 'SAH',
        text: 'Izin ini sah, diterbitkan dan ditandatangani secara elektronik.',
        english: 'Valid: this permit was issued and electronically signed.',
        title: 'Dokumen SAH',
      };
    case 'revoked':
      return {
        word: 'DICABUT',
        text: result.revokedAt
          ? `Izin ini telah dicabut pada ${when(result.revokedAt)} dan tidak berlaku lagi.`
          : 'Izin ini telah dicabut dan tidak berlaku lagi.',
        english: 'Revoked: this permit is no longer in force.',
        title: 'Izin DICABUT',
      };
    case 'void':
      return {
        word: 'BATAL',
        text: result.voidedAt
          ? `Nomor ini dibatalkan pada ${when(result.voidedAt)} karena permohonannya ditolak atau ditarik kembali. Tidak ada izin yang terbit dengan nomor ini.`
          : 'Nomor ini dibatalkan karena permohonannya ditolak atau ditarik kembali. Tidak ada izin yang terbit dengan nomor ini.',
        english: 'Void: the application was rejected or withdrawn; no permit was issued under this number.',
        title: 'Nomor BATAL',
      };
    case 'not_issued':
      return {
        word: 'BELUM TERBIT',
        text: 'Nomor ini sudah dicadangkan untuk sebuah permohonan, tetapi izinnya belum diterbitkan. Dokumen yang memakai nomor ini belum sah.',
        english: 'Not issued yet: the number is reserved, but no permit has been issued.',
        title: 'Izin BELUM TERBIT',
      };
    case 'unknown':
      return {
        word: 'TIDAK DIKENAL',
        text: 'Dokumen ini tidak terdaftar pada sistem DPMPTSP. Waspadai pemalsuan.',
        english: 'Unknown: this document is not in the register. Beware of forgeries.',
        title: 'Dokumen TIDAK DIKENAL',
      };
  }
}

const EMBLEM_SVG = `<svg class="emblem" viewBox="0 0 48 54" aria-hidden="true" focusable="false">
<path d="M24 2 44 9v17c0 13-8.6 21.6-20 26C12.6 47.6 4 39 4 26V9z" fill="#f4c542" stroke="#fff" stroke-width="2"/>
<path d="M24 7.5 39.5 13v13c0 10-6.4 17-15.5 20.8C14.9 43 8.5 36 8.5 26V13z" fill="#0b3d5c"/>
<path d="m24 14 2.6 5.6 6.1.7-4.5 4.2 1.2 6L24 27.5l-5.4 3 1.2-6-4.5-4.2 6.1-.7z" fill="#f4c542"/>
<path d="M14 35h20M16.5 39h15" stroke="#f4c542" stroke-width="2" stroke-linecap="round"/>
</svg>`;

const STATUS_ICONS: Record<Status, string> = {
  valid: '<circle cx="24" cy="24" r="22" fill="currentColor"/><path d="m13.5 24.5 7 7 14-15" fill="none" stroke="#fff" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"/>',
  revoked: '<circle cx="24" cy="24" r="22" fill="currentColor"/><path d="m16 16 16 16m0-16L16 32" stroke="#fff" stroke-width="4.5" stroke-linecap="round"/>',
  void: '<circle cx="24" cy="24" r="22" fill="currentColor"/><path d="M14 24h20" stroke="#fff" stroke-width="4.5" stroke-linecap="round"/>',
  not_issued: '<circle cx="24" cy="24" r="22" fill="currentColor"/><path d="M24 12v13l8 5" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>',
  unknown: '<path d="M24 3 46 43H2z" fill="currentColor" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="M24 17v12" stroke="#fff" stroke-width="4.5" stroke-linecap="round"/><circle cx="24" cy="36" r="2.8" fill="#fff"/>',
};

const LOCK_SVG =
  '<svg viewBox="0 0 20 20" aria-hidden="true" focusable="false"><rect x="3.5" y="8.5" width="13" height="9.5" rx="2" fill="currentColor"/><path d="M6.5 8.5V6a3.5 3.5 0 0 1 7 0v2.5" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

const FILE_SVG =
  '<svg class="drop-icon" viewBox="0 0 40 40" aria-hidden="true" focusable="false"><path d="M10 3h14l8 8v26H10z" fill="#fff" stroke="#0b3d5c" stroke-width="2.2" stroke-linejoin="round"/><path d="M24 3v8h8" fill="none" stroke="#0b3d5c" stroke-width="2.2" stroke-linejoin="round"/><text x="21" y="29" text-anchor="middle" font-size="8" font-weight="700" font-family="sans-serif" fill="#0b3d5c">PDF</text></svg>';

function row(label: string, valueHtml: string): string {
  return `<div class="row"><dt>${escapeHtml(label)}</dt><dd>${valueHtml}</dd></div>`;
}

/** The page a citizen sees after scanning a permit's QR code, and the CSP that goes with it. */
export function renderVerificationPage(result: VerificationResponse): VerificationPage {
  const status = result.status;
  const issued = status === 'valid' || status === 'revoked';
  const timeZone = result.office?.timeZone ?? 'Asia/Jakarta';
  const when = (iso: string) => formatIndonesianDateTime(iso, timeZone);
  const copy = statusCopy(result, when);
  const sha256 = result.sha256 && /^[0-9a-fA-F]{64}$/.test(result.sha256) ? result.sha256.toLowerCase() : null;

  const rows: string[] = [];
  if (status !== 'unknown') {
    if (result.permitNumber) rows.push(row('Nomor izin', escapeHtml(result.permitNumber)));
    if (result.permitTitle) rows.push(row('Jenis izin', escapeHtml(result.permitTitle)));
    // the office that gave the number; on a BATAL page this is all besides the number and the type
    if (result.office) rows.push(row('Instansi penerbit', escapeHtml(`${result.office.name} ${result.office.city}`.trim())));
  }
  if (issued) {
    if (result.holderName) rows.push(row('Pemegang izin', escapeHtml(result.holderName)));
    if (result.signerName) rows.push(row('Ditandatangani oleh', `${escapeHtml(result.signerName)}<span class="note">Nama dari sertifikat elektronik penandatangan.</span>`));
    if (result.certificateIssuer) rows.push(row('Penerbit sertifikat', escapeHtml(result.certificateIssuer)));
    if (result.issuedAt) {
      const source = result.timeSource ? `<span class="note">${escapeHtml(TIME_SOURCE_NOTE[result.timeSource])}</span>` : '';
      rows.push(row('Waktu penandatanganan', `${escapeHtml(when(result.issuedAt))}${source}`));
    }
    if (result.padesLevel) {
      rows.push(row('Tingkat tanda tangan', `<span class="level">PAdES ${escapeHtml(result.padesLevel)}</span><span class="note">${escapeHtml(PADES_EXPLANATION[result.padesLevel])}</span>`));
    }
    if (status === 'revoked' && result.revokedAt) rows.push(row('Dicabut pada', escapeHtml(when(result.revokedAt))));
    if (sha256) rows.push(row('Sidik jari berkas (SHA-256)', `<span class="hash">${escapeHtml(sha256)}</span>`));
  }
  if (status === 'void' && result.voidedAt) rows.push(row('Dibatalkan pada', escapeHtml(when(result.voidedAt))));

  const details = rows.length
    ? `<section class="card" aria-labelledby="details-title"><h2 id="details-title">Rincian izin</h2><dl>${rows.join('')}</dl></section>`
    : '';

  const compare =
    issued && sha256
      ? `<section class="card compare" aria-labelledby="compare-title">
<h2 id="compare-title">Bandingkan berkas PDF Anda</h2>
<p>Pilih berkas PDF izin yang Anda terima. Sidik jarinya (SHA-256) dihitung di perangkat Anda dan dibandingkan dengan yang terdaftar di atas.</p>
<p class="privacy">${LOCK_SVG}<span>Berkas Anda <strong>tidak diunggah</strong> ke mana pun: semuanya diperiksa di browser Anda sendiri.</span></p>
<div class="drop" id="drop" data-sha256="${escapeHtml(sha256)}" data-status="${escapeHtml(status)}">
<input class="file-input" type="file" id="pdf" accept="application/pdf,.pdf">
<label class="drop-label" for="pdf">${FILE_SVG}<span class="drop-button">Pilih berkas PDF</span><span class="drop-hint">atau seret dan lepas berkas ke sini</span></label>
</div>
<div id="result" class="result" role="status" aria-live="polite"></div>
<noscript><p>Untuk membandingkan berkas, aktifkan JavaScript di browser Anda.</p></noscript>
</section>`
      : '';

  const advice =
    status === 'unknown'
      ? `<section class="card" aria-labelledby="advice-title"><h2 id="advice-title">Apa yang harus dilakukan?</h2><ul class="advice">
<li>Jangan menerima dokumen ini sebagai bukti izin.</li>
<li>Periksa kembali bahwa kode QR dipindai dari dokumen aslinya.</li>
<li>Laporkan dugaan pemalsuan kepada DPMPTSP melalui kanal pengaduan resmi atau SP4N Lapor.</li>
</ul></section>`
      : '';

  const officeName = result.office?.name ?? 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu';
  const officeCity = result.office?.city ?? '';
  const statusIcon = `<svg class="status-icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false">${STATUS_ICONS[status]}</svg>`;
  const verificationId = status !== 'unknown' && /^[\w-]{1,64}$/.test(result.verificationId) ? result.verificationId : null;

  const html = `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<title>${escapeHtml(copy.title)} · Verifikasi Izin · ${escapeHtml(officeCity || 'DPMPTSP')}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="office">
<div class="office-inner">
${EMBLEM_SVG}
<div>
<p class="office-kicker">Verifikasi dokumen elektronik</p>
<p class="office-name">${escapeHtml(officeName)}</p>
${officeCity ? `<p class="office-city">${escapeHtml(officeCity)}</p>` : ''}
</div>
</div>
</header>
<main>
<h1>Hasil verifikasi dokumen izin</h1>
<section class="card status status-${status}" aria-labelledby="status-title">
<div class="status-head">${statusIcon}<div><p class="status-label">Status dokumen</p><h2 class="status-word" id="status-title">${escapeHtml(copy.word)}</h2></div></div>
<p class="status-text">${escapeHtml(copy.text)}</p>
<p class="status-en" lang="en">${escapeHtml(copy.english)}</p>
</section>
${details}
${compare}
${advice}
</main>
<footer>
<p>Halaman ini hanya dapat dipercaya bila dibuka dari alamat resmi ${escapeHtml(officeName)}${officeCity ? ` ${escapeHtml(officeCity)}` : ''}. Kode QR palsu dapat mengarah ke situs tiruan.</p>
${verificationId ? `<p>Kode verifikasi: <code>${escapeHtml(verificationId)}</code></p>` : ''}
</footer>
${compare ? `<script>${SCRIPT}</script>` : ''}
</body>
</html>
`;
  return { html, contentSecurityPolicy: CONTENT_SECURITY_POLICY };
}
