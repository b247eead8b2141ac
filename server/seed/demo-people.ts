import type { Applicant } from '../../shared/domain';

/** A small deterministic generator (mulberry32), so the same seed gives the same demo office. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const FIRST_NAMES_F = ['Siti', 'Dewi', 'Rina', 'Nurul', 'Putri', 'Ayu', 'Fitri', 'Indah', 'Wulan', 'Ratna', 'Yuliana', 'Anisa', 'Mega', 'Lestari', 'Nadia'];
const FIRST_NAMES_M = ['Ahmad', 'Budi', 'Agus', 'Rizky', 'Dedi', 'Andi', 'Fajar', 'Hendra', 'Yusuf', 'Bayu', 'Arif', 'Eko', 'Joko', 'Ilham', 'Rahmat'];
const SECOND_NAMES = ['Wijaya', 'Saputra', 'Pratama', 'Hidayat', 'Kurniawan', 'Santoso', 'Nugroho', 'Lestari', 'Permata', 'Rahayu', 'Setiawan', 'Susanti', 'Hasibuan', 'Siregar', 'Purnamasari'];
/** Where an office's applicants live and work: the NIK's province+city code, districts, facilities. */
export interface DemoRegion {
  /** province + city digits of a NIK (Kota Metro 1872, Kota Pekanbaru 1471, Kota Balikpapan 6471) */
  nikPrefix: string;
  /** the end of an address: "Kota Metro, Lampung" */
  cityLine: string;
  cityName: string;
  districts: ReadonlyArray<{ code: string; name: string; street: string }>;
  birthPlaces: readonly string[];
  facilities: Record<Profession, readonly string[]>;
}

export const METRO_REGION: DemoRegion = {
  nikPrefix: '1872',
  cityLine: 'Kota Metro, Lampung',
  cityName: 'Kota Metro',
  districts: [
    { code: '01', name: 'Metro Pusat', street: 'Jl. Jenderal Sudirman' },
    { code: '02', name: 'Metro Utara', street: 'Jl. Ki Hajar Dewantara' },
    { code: '03', name: 'Metro Barat', street: 'Jl. Soekarno-Hatta' },
    { code: '04', name: 'Metro Timur', street: 'Jl. AR Prawiranegara' },
    { code: '05', name: 'Metro Selatan', street: 'Jl. Ahmad Yani' },
  ],
  birthPlaces: ['Metro', 'Bandar Lampung', 'Pringsewu', 'Kotabumi', 'Palembang', 'Yogyakarta', 'Lampung Tengah'],
  facilities: {
    optisien: ['Optik Melawai Metro', 'Optik Tunggal Metro', 'Optik Internasional Metro', 'Klinik Mata Metro Sehat'],
    okupasi: ['RSUD Jenderal Ahmad Yani Metro', 'RS Mardi Waluyo Metro', 'Klinik Tumbuh Kembang Permata Hati Metro'],
    internship: ['RSUD Jenderal Ahmad Yani Metro', 'RS Muhammadiyah Metro', 'Puskesmas Metro', 'RS Mardi Waluyo Metro'],
  },
};

export const PEKANBARU_REGION: DemoRegion = {
  nikPrefix: '1471',
  cityLine: 'Kota Pekanbaru, Riau',
  cityName: 'Kota Pekanbaru',
  districts: [
    { code: '01', name: 'Sukajadi', street: 'Jl. Jenderal Sudirman' },
    { code: '02', name: 'Pekanbaru Kota', street: 'Jl. Tuanku Tambusai' },
    { code: '03', name: 'Sail', street: 'Jl. Hang Tuah' },
    { code: '04', name: 'Lima Puluh', street: 'Jl. Diponegoro' },
    { code: '05', name: 'Senapelan', street: 'Jl. Ahmad Yani' },
  ],
  birthPlaces: ['Pekanbaru', 'Dumai', 'Bangkinang', 'Padang', 'Medan', 'Siak'],
  facilities: {
    optisien: ['Optik Melawai Pekanbaru', 'Optik Tunggal Pekanbaru', 'Klinik Mata Riau Sehat'],
    okupasi: ['RSUD Arifin Achmad', 'RS Awal Bros Pekanbaru'],
    internship: ['RSUD Arifin Achmad', 'Puskesmas Sail'],
  },
};

export const BALIKPAPAN_REGION: DemoRegion = {
  nikPrefix: '6471',
  cityLine: 'Kota Balikpapan, Kalimantan Timur',
  cityName: 'Kota Balikpapan',
  districts: [
    { code: '01', name: 'Balikpapan Selatan', street: 'Jl. MT Haryono' },
    { code: '02', name: 'Balikpapan Kota', street: 'Jl. Jenderal Sudirman' },
    { code: '03', name: 'Balikpapan Utara', street: 'Jl. Soekarno-Hatta' },
    { code: '04', name: 'Balikpapan Tengah', street: 'Jl. Ahmad Yani' },
    { code: '05', name: 'Balikpapan Timur', street: 'Jl. Mulawarman' },
  ],
  birthPlaces: ['Balikpapan', 'Samarinda', 'Makassar', 'Banjarmasin', 'Tenggarong'],
  facilities: {
    optisien: ['Optik Melawai Balikpapan', 'Optik Seis Balikpapan', 'Klinik Mata Kaltim'],
    okupasi: ['RSUD Beriman Balikpapan', 'RS Pertamina Balikpapan'],
    internship: ['RSUD Beriman Balikpapan', 'RSUD Dr. Kanujoso Djatiwibowo', 'Puskesmas Klandasan Ilir'],
  },
};

const PROFESSIONS = { optisien: 'Refraksionis Optisien', okupasi: 'Terapis Okupasional', internship: 'Dokter Internship' } as const;
const STR_PREFIX = { optisien: 'RO', okupasi: 'OT', internship: 'DI' } as const;

export type Profession = keyof typeof PROFESSIONS;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function makeApplicant(random: () => number, profession: Profession, serial: number, region: DemoRegion = METRO_REGION): Applicant {
  const female = random() < 0.55;
  const fullName = `${pick(random, female ? FIRST_NAMES_F : FIRST_NAMES_M)} ${pick(random, SECOND_NAMES)}`;
  const district = pick(random, region.districts);
  const year = profession === 'internship' ? 1997 + Math.floor(random() * 4) : 1975 + Math.floor(random() * 25);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  // NIK: province+city (1872 for Kota Metro), district, birth date (day + 40 for women), serial.
  const nik = `${region.nikPrefix}${district.code}${pad(female ? day + 40 : day, 2)}${pad(month, 2)}${pad(year % 100, 2)}${pad(serial % 10000, 4)}`;
  // STR issued in the last few years: an internship STR runs to the end of the year after next,
  // others five years, so the demo's files past the check carry a valid STR
  const strYear = 2024 + Math.floor(random() * 3);
  const facility = pick(random, region.facilities[profession]);
  return {
    fullName,
    nik,
    birthPlace: pick(random, region.birthPlaces),
    birthDate: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
    gender: female ? 'P' : 'L',
    address: `${district.street} No. ${1 + Math.floor(random() * 180)}, Kec. ${district.name}, ${region.cityLine}`,
    phone: `08${pick(random, ['12', '13', '21', '52', '57', '77'])}${pad(Math.floor(random() * 1e8), 8)}`,
    profession: PROFESSIONS[profession],
    strNumber: `${STR_PREFIX[profession]}${pad(strYear % 100, 2)}${pad(Math.floor(random() * 1e10), 10)}`,
    strValidUntil: profession === 'internship' ? `${strYear + 2}-12-31` : `${strYear + 5}-${pad(month, 2)}-${pad(day, 2)}`,
    facilityName: facility,
    facilityAddress: `${pick(random, region.districts).street}, ${region.cityName}`,
  };
}
