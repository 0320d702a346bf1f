import { lastFour, maskNationalId, validateNationalId, withCheckDigit } from '../../src/domain/national-id';

/**
 * Hand-checked Luhn IDs (Luhn doubles digits 1, 3, 5, 7, 9 counting from the left; a doubled
 * digit above 9 loses 9; the total must end in 0):
 * - 1000000008: doubled 1→2, rest 0; undoubled 0+0+0+0+8 = 8; 2 + 8 = 10 ✓
 * - 1234567897: doubled 1→2, 3→6, 5→10→1, 7→14→5, 9→18→9 = 23; undoubled 2+4+6+8+7 = 27; 50 ✓
 * - 2345678904: doubled 2→4, 4→8, 6→12→3, 8→16→7, 0→0 = 22; undoubled 3+5+7+9+4 = 28; 50 ✓
 */
const CITIZEN_ID = '1000000008';
const CITIZEN_ID_2 = '1234567897';
const RESIDENT_ID = '2345678904';

/** Test factory: a valid ID of the given kind built from a nine-digit seed. */
function makeNationalId(kind: 'citizen' | 'resident', seed: string): string {
  return withCheckDigit(`${kind === 'citizen' ? '1' : '2'}${seed}`);
}

describe('validateNationalId', () => {
  it.each([
    [CITIZEN_ID, 'citizen'],
    [CITIZEN_ID_2, 'citizen'],
    [RESIDENT_ID, 'resident'],
  ] as const)('accepts the hand-checked ID %s as %s', (id, kind) => {
    expect(validateNationalId(id)).toEqual({ ok: true, value: id, kind });
  });

  it.each([
    ['Arabic-Indic digits', '١٠٠٠٠٠٠٠٠٨'],
    ['Persian digits', '۱۰۰۰۰۰۰۰۰۸'],
    ['mixed digit sets', '١٠٠٠۰۰۰00٨'],
    ['spaces', ' 1 000 000 008 '],
    ['dashes', '1000-000-008'],
    ['en dash and non-breaking space', '1000–000\u00A0008'],
    ['bidi marks', '\u200F1000000008\u200E'],
    ['isolates and zero-width space', '\u20661000\u200B000008\u2069'],
  ])('normalises %s', (_case, input) => {
    expect(validateNationalId(input)).toEqual({ ok: true, value: CITIZEN_ID, kind: 'citizen' });
  });

  it.each([
    ['letters', 'abcdefghij'],
    ['letter O for zero', '10000000O8'],
    ['trailing letter', '1000000008a'],
    ['plus sign', '+1000000008'],
    ['dot separators', '1000.000.008'],
    ['empty', ''],
    ['spaces only', '   '],
  ])('rejects %s as format', (_case, input) => {
    expect(validateNationalId(input)).toEqual({ ok: false, reason: 'format' });
  });

  it.each([
    ['9 digits', '100000000'],
    ['11 digits', '10000000080'],
    ['one digit', '1'],
    ['9 Arabic-Indic digits', '١٠٠٠٠٠٠٠٠'],
  ])('rejects %s as length', (_case, input) => {
    expect(validateNationalId(input)).toEqual({ ok: false, reason: 'length' });
  });

  it.each([
    ['prefix 3 with a valid Luhn digit', withCheckDigit('300000000')],
    ['prefix 0', withCheckDigit('012345678')],
    ['prefix 9', withCheckDigit('912345678')],
  ])('rejects %s as prefix', (_case, input) => {
    expect(validateNationalId(input)).toEqual({ ok: false, reason: 'prefix' });
  });

  it.each([
    ['last digit off by one', '1000000009'],
    ['sequential digits', '1234567890'],
    ['two digits swapped', '1243567897'],
    ['resident with a wrong check digit', '2345678905'],
  ])('rejects %s as checksum', (_case, input) => {
    expect(validateNationalId(input)).toEqual({ ok: false, reason: 'checksum' });
  });

  it('checks format before length, length before prefix, prefix before checksum', () => {
    expect(validateNationalId('3x')).toEqual({ ok: false, reason: 'format' });
    expect(validateNationalId('300')).toEqual({ ok: false, reason: 'length' });
    expect(validateNationalId('3000000000')).toEqual({ ok: false, reason: 'prefix' });
  });
});

describe('withCheckDigit', () => {
  it.each([
    ['100000000', CITIZEN_ID],
    ['123456789', CITIZEN_ID_2],
    ['234567890', RESIDENT_ID],
  ])('completes %s to the hand-checked %s', (first9, expected) => {
    expect(withCheckDigit(first9)).toBe(expected);
  });

  const seeds = ['00000000', '12345678', '87654321', '99999999', '10293847', '55555555', '31415926', '27182818'];

  it.each(seeds)('builds valid citizen and resident IDs from seed %s', (seed) => {
    expect(validateNationalId(makeNationalId('citizen', seed))).toMatchObject({ ok: true, kind: 'citizen' });
    expect(validateNationalId(makeNationalId('resident', seed))).toMatchObject({ ok: true, kind: 'resident' });
  });

  it.each(seeds)('makes every other last digit fail the checksum (seed %s)', (seed) => {
    const valid = makeNationalId('citizen', seed);
    const wrongDigits = [...'0123456789'].filter((digit) => digit !== valid.slice(-1));
    for (const digit of wrongDigits) {
      expect(validateNationalId(`${valid.slice(0, 9)}${digit}`)).toEqual({ ok: false, reason: 'checksum' });
    }
  });

  it.each([['12345678'], ['1234567890'], ['12345678a'], ['١٢٣٤٥٦٧٨٩'], ['']])(
    'throws for %p, which is not nine ASCII digits',
    (input) => {
      expect(() => withCheckDigit(input)).toThrow(RangeError);
    },
  );
});

describe('masking', () => {
  it('shows only the last four digits', () => {
    expect(maskNationalId(CITIZEN_ID_2)).toBe('******7897');
    expect(maskNationalId(RESIDENT_ID)).toBe('******8904');
  });

  it('returns the last four digits', () => {
    expect(lastFour(CITIZEN_ID_2)).toBe('7897');
  });
});
