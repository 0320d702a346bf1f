import { maskLongNumbers } from '../../src/persistence/message-log.repository';

describe('history masking', () => {
  it.each([
    ['1023456781', '******6781'],
    ['رقمي ١٠٢٣٤٥٦٧٨١ شكرا', 'رقمي ******٦٧٨١ شكرا'],
    ['050 123 4567', '******4567'],
    ['+966501234567', '******4567'],
    ['BSR-2026-00017', 'BSR-2026-00017'],
    ['نحتاج 500 ريال', 'نحتاج 500 ريال'],
  ])('%s → %s', (input, expected) => {
    expect(maskLongNumbers(input)).toBe(expected);
  });
});
