import { expect, it } from 'vitest';
import { PulledFileCache } from '../../server/app/pulled-file-cache';

it('answers a file only for the change value it was stored with', () => {
  const cache = new PulledFileCache();
  cache.set('a', 5, '{"v":5}');
  expect(cache.get('a', 5)).toBe('{"v":5}');
  expect(cache.get('a', 6)).toBeUndefined();
  expect(cache.get('a', 4)).toBeUndefined();
  cache.set('a', 6, '{"v":6}');
  expect(cache.get('a', 6)).toBe('{"v":6}');
  expect(cache.get('a', 5)).toBeUndefined();
});

it('keeps the newer of two stores that finish out of order', () => {
  const cache = new PulledFileCache();
  cache.set('a', 7, '{"v":7}');
  cache.set('a', 6, '{"v":6}');
  expect(cache.get('a', 7)).toBe('{"v":7}');
  expect(cache.get('a', 6)).toBeUndefined();
});

it('forgets an entry after its time, so a re-imported national record is seen within it', () => {
  let now = 1_000;
  const cache = new PulledFileCache(1024 * 1024, 60_000, () => now);
  cache.set('a', 1, '{}');
  now += 60_000;
  expect(cache.get('a', 1)).toBe('{}');
  now += 1;
  expect(cache.get('a', 1)).toBeUndefined();
  expect(cache.size).toBe(0);
});

it('stays within its bytes, dropping the least recently used first', () => {
  const cache = new PulledFileCache(3 * 2 * 100);
  const json = (c: string) => c.repeat(100);
  cache.set('a', 1, json('a'));
  cache.set('b', 1, json('b'));
  cache.set('c', 1, json('c'));
  expect(cache.get('a', 1)).toBe(json('a')); // a is now the most recently used
  cache.set('d', 1, json('d'));
  expect(cache.get('b', 1)).toBeUndefined();
  expect(cache.get('a', 1)).toBe(json('a'));
  expect(cache.get('c', 1)).toBe(json('c'));
  expect(cache.get('d', 1)).toBe(json('d'));
  cache.set('e', 1, 'x'.repeat(1000)); // larger than the whole cache: not kept, nothing dropped for it
  expect(cache.size).toBe(3);
});
