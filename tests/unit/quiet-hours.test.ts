import { DEFAULT_QUIET_HOURS, isQuiet, outOfQuietHours, parseQuietHours, type QuietHours } from '../../src/domain/quiet-hours';

/** An instant given as Riyadh local time (UTC+3): riyadh('2026-03-10T22:00') is 19:00 UTC. */
function riyadh(local: string): Date {
  return new Date(`${local}:00+03:00`);
}

const NIGHT: QuietHours = { startMinute: 22 * 60, endMinute: 8 * 60 };
const AFTERNOON: QuietHours = { startMinute: 13 * 60, endMinute: 15 * 60 };

describe('parseQuietHours', () => {
  it.each([
    ['22:00-08:00', NIGHT],
    ['22-8', NIGHT],
    [' 22 : 00 - 08 : 00 ', NIGHT],
    ['22:00 – 08:00', NIGHT],
    ['13:00-15:00', AFTERNOON],
    ['21:30-7:45', { startMinute: 21 * 60 + 30, endMinute: 7 * 60 + 45 }],
    ['0-6', { startMinute: 0, endMinute: 360 }],
  ])('%j', (text, expected) => {
    expect(parseQuietHours(text)).toEqual(expected);
  });

  it.each(['off', 'OFF', ' Off '])('%j turns quiet hours off', (text) => {
    expect(parseQuietHours(text)).toBeNull();
  });

  it('the default is 22:00 to 08:00', () => {
    expect(parseQuietHours(DEFAULT_QUIET_HOURS)).toEqual(NIGHT);
  });

  it.each([
    ['22:00-22:00', /same time/],
    ['8-8', /same time/],
    ['24:00-08:00', /out of range/],
    ['22:00-08:60', /out of range/],
    ['22:00', /must look like/],
    ['', /must look like/],
    ['ten-eight', /must look like/],
    ['22:0-08:00', /must look like/],
    ['22:00-08:00-09:00', /must look like/],
    ['on', /must look like/],
  ])('%j is refused', (text, reason) => {
    expect(() => parseQuietHours(text)).toThrow(/QUIET_HOURS/);
    expect(() => parseQuietHours(text)).toThrow(reason);
  });
});

describe('isQuiet', () => {
  it.each([
    ['22:00-08:00', NIGHT, '2026-03-10T21:59', false],
    ['22:00-08:00', NIGHT, '2026-03-10T22:00', true],
    ['22:00-08:00', NIGHT, '2026-03-10T23:59', true],
    ['22:00-08:00', NIGHT, '2026-03-11T00:00', true],
    ['22:00-08:00', NIGHT, '2026-03-11T03:00', true],
    ['22:00-08:00', NIGHT, '2026-03-11T07:59', true],
    ['22:00-08:00', NIGHT, '2026-03-11T08:00', false],
    ['22:00-08:00', NIGHT, '2026-03-11T12:00', false],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T12:59', false],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T13:00', true],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T14:59', true],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T15:00', false],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T23:00', false],
    ['13:00-15:00 (no wrap)', AFTERNOON, '2026-03-10T03:00', false],
  ])('%s at %s Riyadh: %s', (_name, hours, local, quiet) => {
    expect(isQuiet(riyadh(local), hours)).toBe(quiet);
  });

  it('reads Riyadh time, not UTC: 19:00 UTC is 22:00 in Riyadh', () => {
    expect(isQuiet(new Date('2026-03-10T19:00:00Z'), NIGHT)).toBe(true);
    expect(isQuiet(new Date('2026-03-10T18:59:59Z'), NIGHT)).toBe(false);
    expect(isQuiet(new Date('2026-03-11T04:59:59Z'), NIGHT)).toBe(true);
    expect(isQuiet(new Date('2026-03-11T05:00:00Z'), NIGHT)).toBe(false);
  });

  it('never when off', () => {
    expect(isQuiet(riyadh('2026-03-10T23:00'), null)).toBe(false);
  });
});

describe('outOfQuietHours', () => {
  it.each([
    ['23:30 goes to 08:00 the next day', '2026-03-10T23:30', '2026-03-11T08:00'],
    ['22:00 goes to 08:00 the next day', '2026-03-10T22:00', '2026-03-11T08:00'],
    ['03:00 goes to 08:00 the same day', '2026-03-11T03:00', '2026-03-11T08:00'],
    ['00:00 goes to 08:00 the same day', '2026-03-11T00:00', '2026-03-11T08:00'],
    ['07:59 goes to 08:00 the same day', '2026-03-11T07:59', '2026-03-11T08:00'],
    ['over a month end', '2026-03-31T23:10', '2026-04-01T08:00'],
  ])('22:00-08:00: %s', (_case, due, expected) => {
    expect(outOfQuietHours(riyadh(due), NIGHT).toISOString()).toBe(riyadh(expected).toISOString());
  });

  it('23:30 Riyadh is 20:30 UTC and goes to 05:00 UTC the next day', () => {
    expect(outOfQuietHours(new Date('2026-03-10T20:30:00Z'), NIGHT).toISOString()).toBe('2026-03-11T05:00:00.000Z');
  });

  it('drops the seconds of a due time inside the window', () => {
    expect(outOfQuietHours(new Date('2026-03-10T20:30:42.123Z'), NIGHT).toISOString()).toBe('2026-03-11T05:00:00.000Z');
  });

  it.each(['2026-03-10T21:59', '2026-03-11T08:00', '2026-03-11T12:00'])('%s is outside the window and stays as it is', (local) => {
    const due = riyadh(local);
    expect(outOfQuietHours(due, NIGHT)).toBe(due);
  });

  it('off: due stays as it is', () => {
    const due = riyadh('2026-03-10T23:30');
    expect(outOfQuietHours(due, null)).toBe(due);
  });

  it('13:00-15:00 (no wrap): 14:10 goes to 15:00 the same day; 16:00 stays', () => {
    expect(outOfQuietHours(riyadh('2026-03-10T14:10'), AFTERNOON).toISOString()).toBe(riyadh('2026-03-10T15:00').toISOString());
    const later = riyadh('2026-03-10T16:00');
    expect(outOfQuietHours(later, AFTERNOON)).toBe(later);
  });

  it('a window ending after midnight and starting after it (00:30-06:00) ends the same day', () => {
    const early: QuietHours = { startMinute: 30, endMinute: 360 };
    expect(outOfQuietHours(riyadh('2026-03-11T00:45'), early).toISOString()).toBe(riyadh('2026-03-11T06:00').toISOString());
    expect(isQuiet(riyadh('2026-03-11T00:15'), early)).toBe(false);
  });
});
