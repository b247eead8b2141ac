import type { PermitType } from '../../shared/domain';
import type { Office, SignerBinding } from '../../shared/office';
import type { Workflow } from '../../shared/workflow';

/**
 * The demo offices' configuration: Kota Metro's DPMPTSP and the three health-professional
 * permits of its Standar Pelayanan (seeds 58, 74, 84); Kota Pekanbaru's DPMPTSP with its SOP
 * chain for SIKRO (SOP/DPMPTSP-NP/04); Kota Balikpapan (WITA) in demo-balikpapan.ts. Each is
 * its own office on the one server. In production all of this is edited data, not code.
 */

export const METRO_OFFICE_ID = 'dpmptsp-kota-metro';
export const PEKANBARU_OFFICE_ID = 'dpmptsp-kota-pekanbaru';
export const BALIKPAPAN_OFFICE_ID = 'dpmptsp-kota-balikpapan';
export const METRO_WORKFLOW: Workflow = {
  id: 'metro-3-tahap',
  name: 'Kota Metro: penata perizinan → koordinator → Kepala Dinas',
  initialStage: 'pemeriksaan',
  stages: [
    {
      id: 'pemeriksaan',
      role: 'penata_perizinan',
      standardMinutes: null,
      outcome: null,
      actions: [
        { id: 'teruskan', to: 'verifikasi_draf', kind: 'forward', requires: ['checklist_complete'], reservesPermitNumber: false },
        { id: 'kembalikan_ke_pemohon', to: 'dikembalikan', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'verifikasi_draf',
      role: 'koordinator',
      standardMinutes: null,
      outcome: null,
      actions: [
        // Metro's numbering step: the koordinator approves the draft and the server numbers it
        { id: 'setujui_draf', to: 'penandatanganan', kind: 'forward', requires: [], reservesPermitNumber: true },
        { id: 'kembalikan_ke_penata', to: 'pemeriksaan', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'penandatanganan',
      role: 'kepala_dinas',
      standardMinutes: null,
      outcome: null,
      actions: [
        { id: 'tandatangani', to: 'terbit', kind: 'sign', requires: [], reservesPermitNumber: false },
        { id: 'tolak', to: 'ditolak', kind: 'reject', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    { id: 'dikembalikan', role: null, standardMinutes: null, actions: [], outcome: 'returned' },
    { id: 'ditolak', role: null, standardMinutes: null, actions: [], outcome: 'rejected' },
    { id: 'terbit', role: null, standardMinutes: null, actions: [], outcome: 'issued' },
  ],
};

/**
 * SOP/DPMPTSP-NP/04. The number is given when back office prints the draft (step 3), so it is
 * inside the PDF the analysts initial and the Kepala Dinas signs; the SOP's step 8 ("beri
 * nomor") becomes recording the signed, numbered permit in the Buku Register and handing it over.
 */
export const PEKANBARU_WORKFLOW: Workflow = {
  id: 'pekanbaru-sop-04',
  name: 'Kota Pekanbaru SOP/DPMPTSP-NP/04 (SIKRO)',
  initialStage: 'penerimaan_berkas',
  stages: [
    {
      id: 'penerimaan_berkas',
      role: 'front_office',
      standardMinutes: 35,
      outcome: null,
      actions: [
        { id: 'terima_lengkap', to: 'cetak_blanko', kind: 'forward', requires: ['checklist_complete'], reservesPermitNumber: false },
        { id: 'kembalikan_ke_pemohon', to: 'dikembalikan', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'cetak_blanko',
      role: 'back_office',
      standardMinutes: 3,
      outcome: null,
      actions: [{ id: 'cetak_draf', to: 'paraf_analis_muda', kind: 'forward', requires: [], reservesPermitNumber: true }],
    },
    {
      id: 'paraf_analis_muda',
      role: 'analis_ahli_muda',
      standardMinutes: 5,
      outcome: null,
      actions: [
        { id: 'paraf', to: 'paraf_analis_madya', kind: 'forward', requires: [], reservesPermitNumber: false, initialsPreparedPermit: true },
        { id: 'kembalikan', to: 'cetak_blanko', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'paraf_analis_madya',
      role: 'analis_ahli_madya',
      standardMinutes: 10,
      outcome: null,
      actions: [
        { id: 'paraf', to: 'paraf_sekretaris', kind: 'forward', requires: [], reservesPermitNumber: false, initialsPreparedPermit: true },
        { id: 'kembalikan', to: 'paraf_analis_muda', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'paraf_sekretaris',
      role: 'sekretaris',
      standardMinutes: 10,
      outcome: null,
      actions: [
        { id: 'paraf', to: 'penandatanganan', kind: 'forward', requires: [], reservesPermitNumber: false, initialsPreparedPermit: true },
        { id: 'kembalikan', to: 'paraf_analis_madya', kind: 'return', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'penandatanganan',
      role: 'kepala_dinas',
      standardMinutes: 24 * 60,
      outcome: null,
      actions: [
        { id: 'tandatangani', to: 'pencatatan_register', kind: 'sign', requires: [], reservesPermitNumber: false },
        { id: 'tolak', to: 'ditolak', kind: 'reject', requires: ['reason'], reservesPermitNumber: false },
      ],
    },
    {
      id: 'pencatatan_register',
      role: 'back_office',
      standardMinutes: 3,
      outcome: null,
      actions: [{ id: 'catat_register', to: 'terbit', kind: 'forward', requires: [], reservesPermitNumber: false }],
    },
    { id: 'dikembalikan', role: null, standardMinutes: null, actions: [], outcome: 'returned' },
    { id: 'ditolak', role: null, standardMinutes: null, actions: [], outcome: 'rejected' },
    { id: 'terbit', role: null, standardMinutes: null, actions: [], outcome: 'issued' },
  ],
};

const COMMON_REQUIREMENTS = [
  { id: 'akun_mppd', label: 'Memiliki akun MPPD', documentKind: null },
  { id: 'data_satu_sehat', label: 'Data personal telah diperbarui pada aplikasi Satu Sehat', documentKind: 'str' },
  {
    id: 'data_sisdmk',
    label: 'Data SISDMK telah diperbarui dan diverifikasi oleh Faskes, sesuai dengan data Satu Sehat',
    documentKind: 'bukti_sisdmk',
  },
];

const METRO_LEGAL_BASIS = [
  'Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik',
  'Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan',
  'Peraturan Daerah Kota Metro Nomor 1 Tahun 2023 tentang Penyelenggaraan Perizinan Berusaha',
  'Peraturan Walikota Metro Nomor 4 Tahun 2021 tentang Pemberian Praktik, Izin Penyelenggaraan Sarana Pelayanan Kesehatan, Salon Kecantikan, SPA, Sertifikat Produksi Pangan Industri Rumah Tangga, Perusahaan Rumah Tangga Alat Kesehatan dan Perbekalan Kesehatan Rumah Tangga dan Laik Hygiene',
  'Peraturan Wali Kota Metro Nomor 10 Tahun 2024 tentang Perubahan Atas Peraturan Walikota Nomor 8 Tahun 2022 tentang Pendelegasian Kewenangan Penerbitan Perizinan Berusaha, Perizinan Non Berusaha dan Pelayanan Non Perizinan dari Walikota Metro kepada Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Metro',
];

export const DEMO_PERMIT_TYPES: PermitType[] = [
  {
    id: 'sio-refraksionis-optisien',
    name: 'Surat Izin Refraksionis Optisien',
    workflowId: METRO_WORKFLOW.id,
    slaWorkingDays: 3,
    requirements: COMMON_REQUIREMENTS,
    legalBasis: METRO_LEGAL_BASIS,
    template: {
      title: 'SURAT IZIN REFRAKSIONIS OPTISIEN',
      numberCode: 'SIRO',
      validityYears: 5,
      decisionText: 'Memberikan Surat Izin Refraksionis Optisien kepada:',
      issuer: null,
    },
  },
  {
    id: 'sito-terapis-okupasional',
    name: 'Surat Izin Terapis Okupasional',
    workflowId: METRO_WORKFLOW.id,
    slaWorkingDays: 3,
    requirements: [...COMMON_REQUIREMENTS, { id: 'surat_keterangan_tempat', label: 'Surat Keterangan Tempat praktik', documentKind: 'surat_keterangan_tempat' }],
    legalBasis: [
      METRO_LEGAL_BASIS[0]!,
      METRO_LEGAL_BASIS[1]!,
      'Peraturan Pemerintah Nomor 6 Tahun 2021 tentang Penyelenggaraan Perizinan Berusaha di Daerah',
      'Peraturan Pemerintah Nomor 28 Tahun 2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko',
      ...METRO_LEGAL_BASIS.slice(2),
    ],
    template: {
      title: 'SURAT IZIN TERAPIS OKUPASIONAL',
      numberCode: 'SITO',
      validityYears: 5,
      decisionText: 'Memberikan Surat Izin Terapis Okupasional kepada:',
      issuer: null,
    },
  },
  {
    id: 'sid-dokter-internship',
    name: 'Surat Izin Dokter Internship',
    workflowId: METRO_WORKFLOW.id,
    slaWorkingDays: 3,
    requirements: COMMON_REQUIREMENTS,
    legalBasis: METRO_LEGAL_BASIS,
    template: {
      title: 'SURAT IZIN DOKTER INTERNSHIP',
      numberCode: 'SIDI',
      validityYears: 1,
      decisionText: 'Memberikan Surat Izin Dokter Internship kepada:',
      issuer: null,
    },
  },
];

/** Pekanbaru's SIKRO on its SOP chain: shown beside Metro's permits as the second workflow. */
export const PEKANBARU_SIKRO: PermitType = {
  id: 'sikro-pekanbaru',
  name: 'Izin Kerja Refraksionis Optisien (SIKRO, SOP Pekanbaru)',
  workflowId: PEKANBARU_WORKFLOW.id,
  slaWorkingDays: 2,
  requirements: COMMON_REQUIREMENTS,
  legalBasis: [
    'Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik',
    'Peraturan Menteri Kesehatan Nomor 19 Tahun 2013 tentang Penyelenggaraan Pekerjaan Refraksionis Optisien dan Optometris',
    'Peraturan Walikota Pekanbaru Nomor 169 Tahun 2021 tentang Kedudukan, Susunan Organisasi, Tugas dan Fungsi Serta Tata Kerja Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pekanbaru',
    'Peraturan Walikota Pekanbaru Nomor 90 Tahun 2022 tentang Pendelegasian Wewenang Perizinan dan Non Perizinan Kepada Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
  ],
  template: {
    title: 'SURAT IZIN KERJA REFRAKSIONIS OPTISIEN',
    numberCode: 'SIKRO',
    validityYears: 5,
    decisionText: 'Memberikan Izin Kerja Refraksionis Optisien kepada:',
    issuer: {
      government: 'PEMERINTAH KOTA PEKANBARU',
      officeName: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
      city: 'Pekanbaru',
      signerTitle: 'Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Pekanbaru',
    },
  },
};

// National holidays and cuti bersama (SKB 3 Menteri). 2027 is provisional until its SKB is out.
export const HOLIDAYS: Array<[string, string]> = [
  ['2025-01-01', 'Tahun Baru Masehi'], ['2025-01-27', 'Isra Mikraj'], ['2025-01-28', 'Cuti bersama Tahun Baru Imlek'],
  ['2025-01-29', 'Tahun Baru Imlek'], ['2025-03-28', 'Cuti bersama Nyepi'], ['2025-03-29', 'Hari Suci Nyepi'],
  ['2025-03-31', 'Idulfitri'], ['2025-04-01', 'Idulfitri'], ['2025-04-02', 'Cuti bersama Idulfitri'],
  ['2025-04-03', 'Cuti bersama Idulfitri'], ['2025-04-04', 'Cuti bersama Idulfitri'], ['2025-04-07', 'Cuti bersama Idulfitri'],
  ['2025-04-18', 'Wafat Yesus Kristus'], ['2025-05-01', 'Hari Buruh'], ['2025-05-12', 'Waisak'],
  ['2025-05-13', 'Cuti bersama Waisak'], ['2025-05-29', 'Kenaikan Yesus Kristus'], ['2025-05-30', 'Cuti bersama Kenaikan'],
  ['2025-06-01', 'Hari Lahir Pancasila'], ['2025-06-06', 'Iduladha'], ['2025-06-09', 'Cuti bersama Iduladha'],
  ['2025-06-27', 'Tahun Baru Islam'], ['2025-08-17', 'Hari Kemerdekaan'], ['2025-08-18', 'Cuti bersama Kemerdekaan'],
  ['2025-09-05', 'Maulid Nabi Muhammad'], ['2025-12-25', 'Natal'], ['2025-12-26', 'Cuti bersama Natal'],
  ['2026-01-01', 'Tahun Baru Masehi'], ['2026-01-16', 'Isra Mikraj'], ['2026-02-16', 'Cuti bersama Tahun Baru Imlek'],
  ['2026-02-17', 'Tahun Baru Imlek'], ['2026-03-18', 'Cuti bersama Nyepi'], ['2026-03-19', 'Hari Suci Nyepi'],
  ['2026-03-20', 'Cuti bersama Idulfitri'], ['2026-03-21', 'Idulfitri'], ['2026-03-22', 'Idulfitri'],
  ['2026-03-23', 'Cuti bersama Idulfitri'], ['2026-03-24', 'Cuti bersama Idulfitri'], ['2026-04-03', 'Wafat Yesus Kristus'],
  ['2026-05-01', 'Hari Buruh'], ['2026-05-14', 'Kenaikan Yesus Kristus'], ['2026-05-15', 'Cuti bersama Kenaikan'],
  ['2026-05-27', 'Iduladha'], ['2026-05-28', 'Cuti bersama Iduladha'], ['2026-05-31', 'Waisak'],
  ['2026-06-01', 'Hari Lahir Pancasila'], ['2026-06-16', 'Tahun Baru Islam'], ['2026-08-17', 'Hari Kemerdekaan'],
  ['2026-08-25', 'Maulid Nabi Muhammad'], ['2026-12-24', 'Cuti bersama Natal'], ['2026-12-25', 'Natal'],
  ['2027-01-01', 'Tahun Baru Masehi'], ['2027-01-05', 'Isra Mikraj (perkiraan)'], ['2027-02-06', 'Tahun Baru Imlek (perkiraan)'],
  ['2027-03-09', 'Hari Suci Nyepi (perkiraan)'], ['2027-03-10', 'Idulfitri (perkiraan)'], ['2027-03-11', 'Idulfitri (perkiraan)'],
  ['2027-03-12', 'Cuti bersama Idulfitri (perkiraan)'], ['2027-03-26', 'Wafat Yesus Kristus'], ['2027-05-01', 'Hari Buruh'],
  ['2027-05-06', 'Kenaikan Yesus Kristus'], ['2027-05-17', 'Iduladha (perkiraan)'], ['2027-05-20', 'Waisak (perkiraan)'],
  ['2027-06-01', 'Hari Lahir Pancasila'], ['2027-06-06', 'Tahun Baru Islam (perkiraan)'], ['2027-08-15', 'Maulid Nabi Muhammad (perkiraan)'],
  ['2027-08-17', 'Hari Kemerdekaan'], ['2027-12-24', 'Cuti bersama Natal (perkiraan)'], ['2027-12-25', 'Natal'],
];

/**
 * The demo Kepala Dinas's certificate carries his NIP as the subject's serialNumber; the office
 * binds the `kadis` account to it, so only his certificate can sign the office's permits.
 */
export const DEMO_HEAD_CERTIFICATE_SERIAL = '197208151998031004';

export const DEMO_SIGNERS: SignerBinding[] = [{ username: 'kadis', certificateSha256: [], subjectSerialNumber: DEMO_HEAD_CERTIFICATE_SERIAL }];

/** Kota Pekanbaru's (fictional) Kepala Dinas's NIP, as his demo certificate's serialNumber. */
export const PEKANBARU_HEAD_CERTIFICATE_SERIAL = '197904122005011007';

export const PEKANBARU_SIGNERS: SignerBinding[] = [{ username: 'kadispekanbaru', certificateSha256: [], subjectSerialNumber: PEKANBARU_HEAD_CERTIFICATE_SERIAL }];

/** What tells one demo office from another; the DPMPTSP name, holidays and the rest they share. */
type DemoOfficeIdentity = Pick<Office, 'id' | 'city' | 'timeZone' | 'headName' | 'headNip'> & Partial<Pick<Office, 'permitNumberUnit'>>;

/** A demo office: the shared DPMPTSP settings with its own identity, roots, TSA and signers. */
export function demoOfficeOf(identity: DemoOfficeIdentity, verificationBaseUrl: string, trustedRootsPem: string[], timeStampUrl: string | null, signers: SignerBinding[]): Office {
  return {
    name: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu',
    headTitle: `Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu ${identity.city}`,
    holidays: HOLIDAYS.map(([date, name]) => ({ date, name })),
    verificationBaseUrl,
    trustedRootsPem,
    timeStampUrl,
    timeStampRootsPem: [],
    signers,
    permitNumberUnit: 'DPMPTSP',
    ...identity,
  };
}

export function demoOffice(verificationBaseUrl: string, trustedRootsPem: string[] = [], timeStampUrl: string | null = null, signers: SignerBinding[] = DEMO_SIGNERS): Office {
  return demoOfficeOf(
    { id: METRO_OFFICE_ID, city: 'Kota Metro', timeZone: 'Asia/Jakarta', headName: 'Drs. Hendra Saputra, M.M.', headNip: '19720815 199803 1 004' },
    verificationBaseUrl,
    trustedRootsPem,
    timeStampUrl,
    signers,
  );
}

/** Kota Pekanbaru's DPMPTSP (WIB). The head is a demo person, not the official the SOP names. */
export function pekanbaruOffice(verificationBaseUrl: string, trustedRootsPem: string[] = [], timeStampUrl: string | null = null, signers: SignerBinding[] = PEKANBARU_SIGNERS): Office {
  return demoOfficeOf(
    { id: PEKANBARU_OFFICE_ID, city: 'Kota Pekanbaru', timeZone: 'Asia/Jakarta', headName: 'H. Rahmat Hidayat, S.STP., M.Si.', headNip: '19790412 200501 1 007' },
    verificationBaseUrl,
    trustedRootsPem,
    timeStampUrl,
    signers,
  );
}

export const DEMO_PASSWORD = 'meja-izin-demo';

/** Every demo official, with the one office they belong to. */
export const DEMO_USERS = [
  { office: METRO_OFFICE_ID, username: 'penata', fullName: 'Siti Rahmawati, S.Sos.', nip: '19850312 201001 2 015', role: 'penata_perizinan' },
  { office: METRO_OFFICE_ID, username: 'penata2', fullName: 'Agus Setiawan, S.AP.', nip: '19900721 201503 1 002', role: 'penata_perizinan' },
  { office: METRO_OFFICE_ID, username: 'koordinator', fullName: 'Dewi Lestari, S.H., M.H.', nip: '19800105 200501 2 009', role: 'koordinator' },
  { office: METRO_OFFICE_ID, username: 'kadis', fullName: 'Drs. Hendra Saputra, M.M.', nip: '19720815 199803 1 004', role: 'kepala_dinas' },
  { office: METRO_OFFICE_ID, username: 'sekretarismetro', fullName: 'Dra. Yuliana Putri, M.M.', nip: '19760814 200212 2 003', role: 'sekretaris' },
  { office: PEKANBARU_OFFICE_ID, username: 'frontoffice', fullName: 'Rina Marlina', nip: '19950402 202012 2 001', role: 'front_office' },
  { office: PEKANBARU_OFFICE_ID, username: 'backoffice', fullName: 'Yusuf Pratama, S.Kom.', nip: '19930918 201903 1 006', role: 'back_office' },
  { office: PEKANBARU_OFFICE_ID, username: 'analismuda', fullName: 'Nurul Hidayah, S.E.', nip: '19870623 201101 2 004', role: 'analis_ahli_muda' },
  { office: PEKANBARU_OFFICE_ID, username: 'analismadya', fullName: 'Bambang Wijaya, S.H., M.Si.', nip: '19780211 200312 1 003', role: 'analis_ahli_madya' },
  { office: PEKANBARU_OFFICE_ID, username: 'sekretaris', fullName: 'Ir. Sri Wahyuni, M.T.', nip: '19750530 200003 2 002', role: 'sekretaris' },
  { office: PEKANBARU_OFFICE_ID, username: 'kadispekanbaru', fullName: 'H. Rahmat Hidayat, S.STP., M.Si.', nip: '19790412 200501 1 007', role: 'kepala_dinas' },
  { office: BALIKPAPAN_OFFICE_ID, username: 'penatabpp', fullName: 'Andi Rahmawati, S.Sos.', nip: '19880921 201101 2 006', role: 'penata_perizinan' },
  { office: BALIKPAPAN_OFFICE_ID, username: 'koordinatorbpp', fullName: 'Muhammad Ridwan, S.H.', nip: '19830304 200801 1 005', role: 'koordinator' },
  { office: BALIKPAPAN_OFFICE_ID, username: 'kadisbpp', fullName: 'Ir. Hj. Nur Aisyah, M.T.', nip: '19730625 199903 2 001', role: 'kepala_dinas' },
] as const;
