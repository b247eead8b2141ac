/**
 * What a new password must be (set through `npm run server:user`): long, not of one character
 * class, not the username, not a password everyone tries first. The demo accounts' password
 * is seeded directly and is itself on the list, so no real account can be given it.
 */
export const MIN_PASSWORD_LENGTH = 12;

const COMMON_PASSWORDS = new Set([
  'meja-izin-demo',
  'mejaizin',
  'mejaizin123',
  'mejaizin2026',
  'password',
  'password1',
  'password123',
  'password1234',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword123',
  '123456789012',
  '1234567890123',
  'qwertyuiop',
  'qwertyuiop123',
  'qwerty123456',
  'abcdefghijkl',
  'abcd1234abcd',
  'bismillah',
  'bismillah123',
  'indonesia',
  'indonesia123',
  'indonesia1945',
  'merdeka1945',
  'jakarta123',
  'dpmptsp',
  'dpmptsp123',
  'dpmptsp2026',
  'dpmptspmetro',
  'pemkotmetro',
  'perizinan',
  'perizinan123',
  'admin123456',
  'administrator',
  'selamatdatang',
  'selamatpagi',
  'rahasia',
  'rahasia123',
  'sayang123',
  'iloveyou123',
  'welcome12345',
  'changeme',
  'changeme123',
]);

// compared without separators: "meja izin demo" and "Meja.Izin.Demo" are the demo password too
const bare = (text: string) => text.toLowerCase().replace(/[\s._-]/g, '');
const COMMON_BARE = new Set([...COMMON_PASSWORDS].map(bare));

export type PasswordProblem = 'too_short' | 'one_class' | 'contains_username' | 'common';

export function passwordProblems(password: string, username: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const normalized = password.normalize('NFKC');
  if ([...normalized].length < MIN_PASSWORD_LENGTH) problems.push('too_short');
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((c) => c.test(normalized)).length;
  if (classes < 2) problems.push('one_class');
  const lower = normalized.toLowerCase();
  const name = username.normalize('NFKC').toLowerCase();
  if (name.length >= 3 && (lower.includes(name) || lower.includes([...name].reverse().join('')))) problems.push('contains_username');
  if (COMMON_BARE.has(bare(lower))) problems.push('common');
  return problems;
}

export const PASSWORD_PROBLEM_TEXT: Record<PasswordProblem, string> = {
  too_short: `at least ${MIN_PASSWORD_LENGTH} characters`,
  one_class: 'mix at least two of: lower case, upper case, digits, other characters',
  contains_username: 'must not contain the username',
  common: 'too common (or the demo password)',
};
