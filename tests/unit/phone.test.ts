import { maskPhone, parseSaudiMobile } from '../../src/domain/phone';

const E164 = '+966551234567';

describe('parseSaudiMobile', () => {
  it.each([
    ['national with trunk 0', '0551234567'],
    ['national without trunk 0', '551234567'],
    ['E.164', '+966551234567'],
    ['00 international prefix', '00966551234567'],
    ['country code without plus', '966551234567'],
    ['spaces', '055 123 4567'],
    ['dashes', '055-123-4567'],
    ['parentheses', '(055) 123-4567'],
    ['spaced E.164', '+966 55 123 4567'],
    ['E.164 with the trunk 0 in parentheses', '+966 (0)55 123 4567'],
    ['Arabic-Indic digits', '٠٥٥١٢٣٤٥٦٧'],
    ['Persian digits', '۰۵۵۱۲۳۴۵۶۷'],
    ['Arabic-Indic with country code', '+٩٦٦٥٥١٢٣٤٥٦٧'],
    ['bidi marks', '\u200E+966 55 123 4567\u200F'],
    ['isolates around a number', '\u2066055 123 4567\u2069'],
    ['surrounding whitespace', '  0551234567\n'],
  ])('accepts %s', (_case, input) => {
    expect(parseSaudiMobile(input)).toEqual({ ok: true, e164: E164 });
  });

  it.each([
    ['050', '0501234567', '+966501234567'],
    ['053', '0531234567', '+966531234567'],
    ['054', '0541234567', '+966541234567'],
    ['056', '0561234567', '+966561234567'],
    ['059', '0591234567', '+966591234567'],
  ])('accepts the %s range', (_case, input, e164) => {
    expect(parseSaudiMobile(input)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['Dammam landline', '0138123456'],
    ['Riyadh landline', '011 234 5678'],
    ['Saudi landline in E.164', '+966138123456'],
    ['UAE mobile', '+971501234567'],
    ['UAE mobile with 00', '00971501234567'],
    ['US number', '+1 202 555 0100'],
    ['UK mobile', '+44 7700 900123'],
    ['Pakistani mobile', '+92 300 1234567'],
  ])('rejects %s as not_saudi_mobile', (_case, input) => {
    expect(parseSaudiMobile(input)).toEqual({ ok: false, reason: 'not_saudi_mobile' });
  });

  it.each([
    ['letters', 'abc'],
    ['letter O for zero', 'O551234567'],
    ['number inside a sentence', 'my number is 0551234567'],
    ['too short', '12345'],
    ['too short mobile', '05512'],
    ['too long', '05512345678901234'],
    ['plus in the middle', '055+1234567'],
    ['plus alone', '+'],
    ['empty', ''],
  ])('rejects %s as format', (_case, input) => {
    expect(parseSaudiMobile(input)).toEqual({ ok: false, reason: 'format' });
  });
});

describe('maskPhone', () => {
  it.each([
    ['+966551234567', '+9665******67'],
    ['+966501234589', '+9665******89'],
  ])('masks %s as %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('masks a string too short to keep both ends entirely', () => {
    expect(maskPhone('+96655')).toBe('******');
  });
});
