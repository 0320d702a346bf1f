import { detectLanguageEvidence, parseLanguageRequest } from '../../src/nlu/language-detect';

const detectLanguage = (text: string): string | null => detectLanguageEvidence(text)?.language ?? null;

describe('detectLanguage', () => {
  it.each([
    ['digits only', '12345'],
    ['Arabic-Indic digits only', '١٢٣'],
    ['emoji only', '👍😀'],
    ['punctuation only', '؟!...'],
    ['empty', ''],
    ['invisible marks only', '\u200F\u200E'],
    ['a script we do not serve', 'Привет'],
  ])('returns null with no Arabic or Latin letters: %s', (_case, input) => {
    expect(detectLanguage(input)).toBeNull();
  });

  it.each([
    ['greeting', 'السلام عليكم'],
    ['Gulf request', 'ابي اجدد الطلب'],
    ['with tashkeel', 'مَرْحَبًا'],
    ['چ in Gulf dialect', 'ابي چاي'],
    ['گ in Gulf dialect', 'وين گاعد'],
    ['پ in a loanword', 'ابي پيتزا'],
    ['ڤ in a loanword', 'عندي ڤيزا'],
    ['Persian keyboard ی/ک beside Arabic-only ة', 'شکرا على المساعدة'],
    ['Persian keyboard ی beside Arabic-only ص', 'وصلنی الرد'],
    ['Arabic with a few English words', 'ابي اجدد الطلب please'],
  ])('detects Arabic: %s', (_case, input) => {
    expect(detectLanguage(input)).toBe('ar');
  });

  it.each([
    ['ے yeh barree', 'کیا ہے'],
    ['ں noon ghunna', 'میں'],
    ['ٹ tteh', 'ٹھیک'],
    ['ڈ ddal', 'ڈاکٹر'],
    ['ڑ rreh', 'بڑا'],
    ['ھ heh doachashmee', 'مجھ'],
    ['ہ heh goal', 'یہ'],
    ['ۂ heh goal with hamza', 'ۂ'],
    ['ۓ yeh barree with hamza', 'گۓ'],
    ['strong letter even beside Arabic-only letters', 'صاحب ضرورت ہے'],
    ['a full Urdu sentence', 'مجھے مدد چاہیے'],
    ['weak ک/ی without Arabic-only letters', 'کیا حال'],
    ['weak ی alone', 'میرا نام علی'],
  ])('detects Urdu: %s', (_case, input) => {
    expect(detectLanguage(input)).toBe('ur');
  });

  it.each([
    ['digit inside a word', 'a9adem'],
    ['leading 3', '3ala rasi'],
    ['leading 7', '7ayak allah'],
    ['leading 5', '5alas'],
    ['leading 2', '2ana hon'],
    ['digit 6 inside', 'ta6yeb'],
    ['trailing-digit word', 'la2'],
    ['ma3 as a word', 'ma3 salama'],
    ['salam', 'salam'],
    ['Gulf question', 'shlonak'],
    ['wesh', 'wesh tabi'],
    ['abi / abgha', 'abgha ajded'],
    ['ana', 'ana hna'],
    ['inshallah', 'InshaAllah'],
    ['mashallah', 'mashallah'],
    ['yalla', 'yalla'],
    ['habibi', 'thanks habibi'],
    ['wain', 'wain al maktab'],
    ['shukran', 'shukran'],
    ['ab3a', 'ab3a ajded'],
    ['elongated', 'salaaaam'],
  ])('detects Arabizi as Arabic: %s', (_case, input) => {
    expect(detectLanguage(input)).toBe('ar');
  });

  it.each([
    ['mujhe + chahiye', 'mujhe madad chahiye'],
    ['aap kaise hain', 'aap kaise hain'],
    ['kya', 'kya haal'],
    ['nahi', 'nahi'],
    ['shukriya', 'shukriya'],
    ['kahan', 'office kahan hai'],
    ['karna', 'request karna'],
    ['bhai wins a tie with shared salam', 'salam bhai'],
    ['mumkin hai is Urdu too', 'mumkin hai?'],
    ['Urdu outnumbers Arabizi', 'inshallah mujhe madad mil jayegi, shukriya bhai'],
    ['darkhwast', 'meri darkhwast'],
  ])('detects Roman Urdu: %s', (_case, input) => {
    expect(detectLanguage(input)).toBe('ur');
  });

  it.each([
    ['plain English', 'Hello, I need help with my request'],
    ['ordinal', 'I live on the 2nd floor'],
    ['time', 'see you at 5pm'],
    ['number glued to a unit', 'it took 3days'],
    ['chat English 2 = to', 'see u 2morrow'],
    ['h2o', 'h2o'],
    ['b2b', 'b2b services'],
    ['product with trailing digit', 'my iphone7 broke'],
    ['standalone digit', 'room 7 please'],
    ['covid19', 'covid19 test'],
    ['English words that look a bit foreign', 'hey there, what is the status?'],
    ['English with a few Arabic letters', 'hello ابي'],
  ])('detects English: %s', (_case, input) => {
    expect(detectLanguage(input)).toBe('en');
  });

  it.each([
    ['more Arabic letters', 'مرحبا ابي اجدد الطلب ok', 'ar'],
    ['more Latin letters', 'please renew my request بسرعة', 'en'],
    ['more Urdu letters', 'مجھے مدد چاہیے ok', 'ur'],
    ['a tie goes to the Arabic script', 'ab ابي', 'ar'],
  ] as const)('decides mixed text by the bigger script: %s', (_case, input, expected) => {
    expect(detectLanguage(input)).toBe(expected);
  });

  it('ignores bidi marks around text', () => {
    expect(detectLanguage('\u200Fhello\u200E')).toBe('en');
  });
});

describe('detectLanguageEvidence', () => {
  it.each([
    ['مرحبا', 'ar', false],
    ['السلام عليكم', 'ar', true],
    ['السلام علیکم', 'ur', true], // typed on an Urdu keyboard
    ['السلام عليكم ورحمة الله', 'ar', true],
    ['ابي اقدم طلب', 'ar', true],
    ['شکریہ', 'ur', true], // an Urdu-only letter is clear on its own
    ['assalam o alaikum', 'ar', false],
    ['abi a9adem 6alab', 'ar', true],
    ['mujhe madad', 'ur', true],
    ['kya', 'ur', false],
    ['ok', 'en', false],
    ['ok thanks', 'en', false],
    ['can i apply for support', 'en', true],
    ['ok thank you', 'en', false],
    ['beta jail mein band', 'en', false], // Latin letters, but not English words
    ['Muhammad Asif Khan Niazi', 'en', false],
    ['ahmed.k@gmail.com', null, null],

  ] as const)('%s → %s (clear: %s)', (text, language, clear) => {
    expect(detectLanguageEvidence(text)).toEqual(language === null ? null : { language, clear });
  });
});

describe('parseLanguageRequest', () => {
  it.each([
    ['English please', 'en'],
    ['ENGLISH', 'en'],
    ['in english', 'en'],
    ['inglish', 'en'],
    ['انجليزي', 'en'],
    ['ابي انقليزي', 'en'],
    ['الإنجليزية', 'en'],
    ['الانجليزية لو سمحت', 'en'],
    ['بالانجليزي', 'en'],
    ['انگریزی میں', 'en'],
    ['mujhe angrezi chahiye', 'en'],
    ['Arabic', 'ar'],
    ['عربي', 'ar'],
    ['العربية', 'ar'],
    ['العربيه', 'ar'],
    ['بالعربي', 'ar'],
    ['عربی', 'ar'],
    ['arabi please', 'ar'],
    ['urdu', 'ur'],
    ['ابي اردو', 'ur'],
    ['أوردو', 'ur'],
    ['اوردو', 'ur'],
    ['mujhe urdu chahiye', 'ur'],
    ['اردو میں بات کریں', 'ur'],
    ['English, English!', 'en'],
  ] as const)('%p asks for %p', (input, expected) => {
    expect(parseLanguageRequest(input)).toBe(expected);
  });

  it.each([
    ['no language named', 'hello'],
    ['Arabic greeting', 'السلام عليكم'],
    ['two languages', 'english or arabic?'],
    ['two languages in Arabic', 'عربي ولا انجليزي'],
    ['only part of a word', 'englishman'],
    ['empty', ''],
  ])('returns null for %s: %p', (_case, input) => {
    expect(parseLanguageRequest(input)).toBeNull();
  });
});
