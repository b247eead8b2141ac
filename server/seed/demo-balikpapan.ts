import type { PermitType } from '../../shared/domain';
import type { Office, SignerBinding } from '../../shared/office';
import type { Workflow } from '../../shared/workflow';
import { BALIKPAPAN_OFFICE_ID, DEMO_PERMIT_TYPES, METRO_WORKFLOW, demoOfficeOf } from './demo-configuration';

/**
 * A third demo office, in WITA (Asia/Makassar), to exercise time zones on a shared server: Kota
 * Balikpapan's DPMPTSP on a three-step chain like Metro's, with two of the same permits under
 * its own ids, workflow and number unit. Its people, legal basis and head are demo data; the
 * legal basis names national law only.
 */
export const BALIKPAPAN_WORKFLOW: Workflow = {
  ...METRO_WORKFLOW,
  id: 'balikpapan-3-tahap',
  name: 'Kota Balikpapan: penata perizinan → koordinator → Kepala Dinas',
};

const NATIONAL_LEGAL_BASIS = [
  'Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik',
  'Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan',
  'Peraturan Pemerintah Nomor 28 Tahun 2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko',
];

export const BALIKPAPAN_PERMIT_TYPES: PermitType[] = DEMO_PERMIT_TYPES.filter((t) => t.id !== 'sito-terapis-okupasional').map((t) => ({
  ...t,
  id: `${t.id}-balikpapan`,
  workflowId: BALIKPAPAN_WORKFLOW.id,
  legalBasis: NATIONAL_LEGAL_BASIS,
}));

export const BALIKPAPAN_HEAD_CERTIFICATE_SERIAL = '197306251999032001';

export const BALIKPAPAN_SIGNERS: SignerBinding[] = [{ username: 'kadisbpp', certificateSha256: [], subjectSerialNumber: BALIKPAPAN_HEAD_CERTIFICATE_SERIAL }];

export function balikpapanOffice(verificationBaseUrl: string, trustedRootsPem: string[] = [], timeStampUrl: string | null = null, signers: SignerBinding[] = BALIKPAPAN_SIGNERS): Office {
  return demoOfficeOf(
    {
      id: BALIKPAPAN_OFFICE_ID,
      city: 'Kota Balikpapan',
      timeZone: 'Asia/Makassar',
      headName: 'Ir. Hj. Nur Aisyah, M.T.',
      headNip: '19730625 199903 2 001',
      // its own unit in the number, so its SIRO/SIDI numbers never read like Metro's
      permitNumberUnit: 'DPMPTSP-BPP',
    },
    verificationBaseUrl,
    trustedRootsPem,
    timeStampUrl,
    signers,
  );
}
