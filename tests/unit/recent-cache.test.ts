import { RecentCache } from '../../src/persistence/recent-cache';

describe('RecentCache', () => {
  it('forgets the oldest entry when full, and moves a rewritten key to the back', () => {
    const cache = new RecentCache<string, number>(2, 60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.get('c')).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('never returns an entry older than its age limit, and drops old entries when a new one comes', () => {
    let now = 1_000;
    const cache = new RecentCache<string, string>(10, 500, () => now);
    cache.set('old', 'x');
    now += 400;
    cache.set('newer', 'y');
    now += 200;
    expect(cache.get('old')).toBeUndefined();
    expect(cache.get('newer')).toBe('y');
    now += 400;
    cache.set('newest', 'z');
    expect(cache.size).toBe(1);
  });

  it('take returns an entry once', () => {
    const cache = new RecentCache<string, number>(10, 60_000);
    cache.set('k', 7);
    expect(cache.take('k')).toBe(7);
    expect(cache.take('k')).toBeUndefined();
  });
});
