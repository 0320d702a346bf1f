import { normalizeForMatching, tokenize } from '../../src/nlu/normalize';

describe('normalizeForMatching', () => {
  it.each([
    ['fathatan, damma, kasra, shadda, sukun', 'مُحَمَّدٌ سَعِيْدٍ', 'محمد سعيد'],
    ['tanween fath on alef', 'شكراً', 'شكرا'],
    ['superscript alef U+0670', 'هٰذا', 'هذا'],
    ['tatweel', 'شكـــــرا', 'شكرا'],
    ['Quranic annotation marks', 'الرَّحِيمِ ۝ ۖ', 'الرحيم'],
  ])('removes diacritics: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it.each([
    ['alef with hamza above أ', 'أحمد', 'احمد'],
    ['alef with hamza below إ', 'إبراهيم', 'ابراهيم'],
    ['alef madda آ', 'آمين', 'امين'],
    ['alef wasla ٱ', 'ٱلله', 'الله'],
    ['decomposed alef + hamza (NFC first)', 'ا\u0654حمد', 'احمد'],
    ['alef maksura ى', 'على', 'علي'],
    ['Farsi/Urdu yeh ی', 'علی', 'علي'],
    ['yeh barree ے', 'ہے', 'هي'],
    ['keheh ک', 'کتاب', 'كتاب'],
    ['heh goal ہ', 'ہم', 'هم'],
    ['heh goal with hamza ۂ', 'ۂ', 'ه'],
    ['heh doachashmee ھ', 'مجھے', 'مجهي'],
    ['taa marbuta ة', 'مدرسة', 'مدرسه'],
    ['waw with hamza ؤ', 'مسؤول', 'مسوول'],
    ['yeh with hamza ئ', 'رئيس', 'رييس'],
  ])('folds letter variants: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it('makes the same word typed on Arabic and Urdu keyboards identical', () => {
    expect(normalizeForMatching('شكرية')).toBe(normalizeForMatching('شکریہ'));
  });

  it.each([
    ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['Persian/Urdu digits', '۰۱۲۳۴۵۶۷۸۹', '0123456789'],
    ['digits inside Arabic text', 'طلب رقم ١٢٣', 'طلب رقم 123'],
  ])('converts digits to ASCII: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it.each([
    ['LRM and RLM', '\u200Eمرحبا\u200F', 'مرحبا'],
    ['Arabic letter mark', 'مر\u061Cحبا', 'مرحبا'],
    ['embeddings and overrides U+202A–U+202E', '\u202Bمرحبا\u202C \u202Dhi\u202E', 'مرحبا hi'],
    ['isolates U+2066–U+2069', '\u2067مرحبا\u2069 \u2066ok\u2068', 'مرحبا ok'],
    ['zero-width space, non-joiner, joiner', 'مر\u200Bح\u200Cب\u200Dا', 'مرحبا'],
    ['word joiner and BOM', '\uFEFFhel\u2060lo', 'hello'],
  ])('removes invisible characters: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it.each([
    ['Latin upper case', 'HeLLo WORLD', 'hello world'],
    ['Arabic elongation', 'هلااااا', 'هلا'],
    ['elongation spread over alef variants', 'هلاأاآ', 'هلا'],
    ['Latin elongation', 'pleeeease', 'please'],
    ['elongation across cases', 'PLEeeEASE', 'please'],
    ['doubled Arabic letter kept', 'الله', 'الله'],
    ['doubled Latin letters kept', 'coffee  sheet', 'coffee sheet'],
    ['digits are never collapsed', '1000', '1000'],
  ])('handles case and repetition: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it.each([
    ['Arabic question mark', 'كيف الحال؟', 'كيف الحال'],
    ['Arabic comma and semicolon', 'نعم،لا؛ربما', 'نعم لا ربما'],
    ['ASCII punctuation', 'hello,world!!(yes)', 'hello world yes'],
    ['emoji and skin tones', 'شكرا😀👍🏽', 'شكرا'],
    ['keycap emoji keeps its digit', '1️⃣', '1'],
    ['symbols', 'a+b=c $5 #1', 'a b c 5 1'],
    ['apostrophe splits the word', "don't", 'don t'],
    ['letters of other scripts are kept', 'café Привет', 'café привет'],
  ])('turns punctuation, symbols and emoji into spaces: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it.each([
    ['tabs, newlines and non-breaking spaces', ' \tمرحبا\n\n\u00A0 hi  ', 'مرحبا hi'],
    ['only punctuation', '؟!...', ''],
    ['empty', '', ''],
  ])('collapses whitespace and trims: %s', (_rule, input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = normalizeForMatching('أهلاً وسهلاً!! كيفكم؟ ٣ پیزا ہے HELLOOO');
    expect(normalizeForMatching(once)).toBe(once);
  });
});

describe('tokenize', () => {
  it.each([
    ['ابي اجدد الطلب', ['ابي', 'اجدد', 'الطلب']],
    ['hello', ['hello']],
    ['', []],
    ['  a  b ', ['a', 'b']],
  ])('splits %p into words', (input, expected) => {
    expect(tokenize(input)).toEqual(expected);
  });

  it('works on normalized text', () => {
    expect(tokenize(normalizeForMatching('أبي، أجدد الطلب؟'))).toEqual(['ابي', 'اجدد', 'الطلب']);
  });
});
