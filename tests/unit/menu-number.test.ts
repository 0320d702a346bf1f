import { parseMenuNumber } from '../../src/nlu/menu-number';

describe('parseMenuNumber', () => {
  it.each([
    ['1', 1],
    ['7', 7],
    ['20', 20],
    ['05', 5],
    [' 3 ', 3],
    ['٣', 3],
    ['١٠', 10],
    ['۴', 4],
    ['۱۲', 12],
  ])('reads digits %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['2.', 2],
    ['2)', 2],
    ['(2)', 2],
    ['٢.', 2],
    ['1️⃣', 1],
    ['1st', 1],
    ['2nd', 2],
  ])('allows trailing punctuation and decoration: %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['رقم 2', 2],
    ['رقم ٢', 2],
    ['رقم2', 2],
    ['الرقم 4', 4],
    ['خيار 3', 3],
    ['الخيار الثاني', 2],
    ['number 5', 5],
    ['Number: 5', 5],
    ['no. 6', 6],
    ['No 6', 6],
    ['no6', 6],
    ['option 7', 7],
    ['Option number 8', 8],
    ['#9', 9],
    ['رقم واحد', 1],
  ])('accepts a prefix: %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['واحد', 1], ['وحده', 1], ['واحده', 1], ['واحدة', 1],
    ['اثنين', 2], ['اثنان', 2], ['إثنين', 2], ['ثنين', 2], ['اتنين', 2],
    ['ثلاثه', 3], ['ثلاثة', 3], ['ثلاث', 3], ['تلاته', 3],
    ['اربعه', 4], ['أربعة', 4], ['اربع', 4],
    ['خمسه', 5], ['خمسة', 5], ['خمس', 5],
    ['سته', 6], ['ستة', 6], ['ست', 6],
    ['سبعه', 7], ['سبع', 7],
    ['ثمانيه', 8], ['ثمانية', 8], ['ثمان', 8], ['تمنيه', 8],
    ['تسعه', 9], ['تسع', 9],
    ['عشره', 10], ['عشرة', 10], ['عشر', 10],
    ['وَاحِد', 1], ['خمســـة', 5],
  ])('reads the Arabic number word %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['الاول', 1], ['الأول', 1], ['الأولى', 1], ['الثاني', 2], ['الثانية', 2],
    ['الثالث', 3], ['الرابع', 4], ['الخامس', 5],
  ])('reads the Arabic ordinal %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['one', 1], ['Two', 2], ['THREE', 3], ['four', 4], ['five', 5], ['six', 6], ['seven', 7],
    ['eight', 8], ['nine', 9], ['ten', 10],
    ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5],
  ])('reads the English word %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['ایک', 1], ['دو', 2], ['تین', 3], ['چار', 4], ['پانچ', 5], ['چھ', 6], ['سات', 7],
    ['آٹھ', 8], ['نو', 9], ['دس', 10],
  ])('reads the Urdu word %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['wa7ed', 1], ['wahed', 1], ['Wa7ed', 1],
    ['ethnain', 2], ['ithnain', 2], ['ithnen', 2],
    ['thalatha', 3], ['talata', 3],
    ['arba3a', 4],
  ])('reads the Arabizi word %p as %p', (input, expected) => {
    expect(parseMenuNumber(input)).toBe(expected);
  });

  it.each([
    ['two numbers', '1 2'],
    ['a quantity', '10 riyals'],
    ['a sentence with a number', 'ابي 1'],
    ['a number inside a sentence', 'I want option 2 please'],
    ['zero', '0'],
    ['above the menu range', '21'],
    ['a large number', '12345'],
    ['a decimal', '1.5'],
    ['a phone number', '0551234567'],
    ['a prefix alone', 'رقم'],
    ['"no" alone', 'no'],
    ['three prefixes', 'option number no 2'],
    ['an unknown word', 'hello'],
    ['Arabizi word that is not a number', '3ala'],
    ['emoji only', '👍'],
    ['empty', ''],
    ['whitespace only', '   '],
  ])('returns null for %s: %p', (_case, input) => {
    expect(parseMenuNumber(input)).toBeNull();
  });
});
