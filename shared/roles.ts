export const ROLES = [
  'penata_perizinan',
  'koordinator',
  'kepala_dinas',
  'front_office',
  'back_office',
  'analis_ahli_muda',
  'analis_ahli_madya',
  'sekretaris',
] as const;

export type Role = (typeof ROLES)[number];
