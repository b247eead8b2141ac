import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY, LoginThrottle } from '../../server/app/login-throttle';
import { passwordProblems } from '../../server/app/password-policy';
import { commandContentHash, commandMac, commandMacMatches } from '../../shared/node/command-mac';
import { canonicalJson, transitionContent, type TransitionCommand } from '../../shared/sync-protocol';

describe('canonical encoding of a command', () => {
  it('is the same text whatever the key order, and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('signs the content and the author; any change to either breaks the MAC, a new session does not change the ledger hash', () => {
    const command: TransitionCommand = {
      id: '0b9d0e53-6a39-4d0a-9c43-0f6f3f8e5a11', type: 'transition', applicationId: 'app-1', action: 'teruskan', expectedStage: 'pemeriksaan',
      reason: null, checklist: { ktp: true, str: true }, decidedAt: '2026-11-24T02:00:00.000Z', evidence: null,
    };
    const key = Buffer.alloc(32, 9);
    const author = { userId: 'u1', sessionId: 's1' };
    const mac = commandMac(key, transitionContent(command), author);
    expect(commandMacMatches(key, transitionContent({ ...command, checklist: { str: true, ktp: true } }), author, mac)).toBe(true);
    expect(commandMacMatches(key, transitionContent({ ...command, checklist: { ktp: true, str: false } }), author, mac)).toBe(false);
    expect(commandMacMatches(key, transitionContent(command), { ...author, userId: 'u2' }, mac)).toBe(false);
    expect(commandMacMatches(Buffer.alloc(32, 8), transitionContent(command), author, mac)).toBe(false);
    expect(commandMacMatches(key, transitionContent(command), author, 'A'.repeat(43))).toBe(false);
    expect(commandContentHash(transitionContent(command), 'u1')).not.toBe(commandContentHash(transitionContent(command), 'u2'));
    expect(commandContentHash(transitionContent(command), 'u1')).not.toBe(commandContentHash(transitionContent({ ...command, reason: 'x' }), 'u1'));
  });
});

describe('password policy', () => {
  it('asks for 12 characters of two kinds, not the username, not a common or demo password', () => {
    expect(passwordProblems('Kopi-Tubruk-Lampung-7', 'penata3')).toEqual([]);
    expect(passwordProblems('Pendek-1', 'x')).toContain('too_short');
    expect(passwordProblems('semuahurufkecilsaja', 'x')).toEqual(['one_class']);
    expect(passwordProblems('123456789012345', 'x')).toEqual(['one_class']);
    expect(passwordProblems('Penata3-rahasia!', 'penata3')).toEqual(['contains_username']);
    expect(passwordProblems('meja-izin-demo', 'penata')).toEqual(['common']);
    expect(passwordProblems('Meja Izin Demo', 'penata')).toEqual(['common']);
    expect(passwordProblems('Indonesia1945', 'penata')).toEqual(['common']);
  });
});

describe('login throttle', () => {
  it('slows repeated failures, locks after the threshold with a Retry-After, and doubles the next lockout', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(DEFAULT_THROTTLE_POLICY, () => now);
    const fail = () => {
      const verdict = throttle.begin('penata', '10.0.0.1');
      if (!verdict.allowed) return verdict;
      return { ...throttle.finish(verdict.attempt, false), allowed: true as const };
    };
    expect([1, 2, 3, 4, 5].map(() => fail())).toEqual([
      { allowed: true, delayMs: 0 },
      { allowed: true, delayMs: 250 },
      { allowed: true, delayMs: 500 },
      { allowed: true, delayMs: 1000 },
      { allowed: true, delayMs: 2000 },
    ]);
    expect(throttle.begin('Penata', '10.0.0.2')).toEqual({ allowed: false, retryAfterSeconds: 900 });
    now += 900_000;
    for (let i = 0; i < 5; i += 1) expect(fail().allowed).toBe(true);
    expect(throttle.begin('penata', '10.0.0.3')).toEqual({ allowed: false, retryAfterSeconds: 1800 });
  });

  it('counts guesses still being checked, so a parallel burst cannot pass the threshold', () => {
    const throttle = new LoginThrottle();
    const verdicts = Array.from({ length: 8 }, () => throttle.begin('kadis', '10.0.0.9'));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  it('a success clears the account but not the address', () => {
    const throttle = new LoginThrottle({ ...DEFAULT_THROTTLE_POLICY, addressFailures: 3 });
    for (const name of ['a', 'b']) {
      const v = throttle.begin(name, '10.0.0.4');
      if (v.allowed) throttle.finish(v.attempt, false);
    }
    const ok = throttle.begin('c', '10.0.0.4');
    if (ok.allowed) throttle.finish(ok.attempt, true);
    const third = throttle.begin('d', '10.0.0.4');
    if (third.allowed) throttle.finish(third.attempt, false);
    expect(throttle.begin('e', '10.0.0.4').allowed).toBe(false);
  });
});
