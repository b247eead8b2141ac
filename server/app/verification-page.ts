import type { VerificationResponse } from '../../shared/sync-protocol';

const STATUS_TEXT: Record<VerificationResponse['status'], string> = {
  valid: 'Dokumen SAH: diterbitkan dan ditandatangani secara elektronik oleh DPMPTSP.',
  revoked: 'Dokumen ini telah DICABUT dan tidak berlaku.',
  unknown: 'Dokumen TIDAK DIKENAL: tidak terdaftar pada sistem DPMPTSP.',
  not_issued: 'Nomor ini telah dipesan, tetapi izinnya BELUM DITERBITKAN.',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page a citizen sees after scanning a permit's QR code. */
export function renderVerificationPage(result: VerificationResponse): string {
  const rows: Array<[string, string | null]> = [
    ['Nomor izin', result.permitNumber],
    ['Jenis izin', result.permitTitle],
    ['Pemegang izin', result.holderName],
    ['Diterbitkan', result.issuedAt],
    ['SHA-256 berkas', result.sha256],
  ];
  const table = rows
    .filter((r): r is [string, string] => r[1] !== null)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Verifikasi Dokumen</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}</style></head>
<body><h1>Verifikasi Dokumen Izin</h1><p><strong>${escapeHtml(STATUS_TEXT[result.status])}</strong></p><table>${table}</table></body></html>`;
}
