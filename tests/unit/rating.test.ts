import { LANGUAGES } from '../../src/domain/language';
import { isSkip, ratingWordsFrom, readRating, type Rating } from '../../src/domain/rating';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';

/** The words as the survey step reads them: the real locale files, every language merged. */
const translator = I18nTranslator.load(LOCALES_DIR);
const words = ratingWordsFrom((key) => LANGUAGES.flatMap((lang) => translator.list(lang, `keywords:${key}`)));

describe('ratingWordsFrom', () => {
  it('reads every rating list and the skip words of all three languages', () => {
    for (const r of [1, 2, 3, 4, 5] as const) expect(words.byRating[r].length).toBeGreaterThan(20);
    expect(words.byRating[5]).toEqual(expect.arrayContaining(['ممتاز', 'excellent', 'bahut acha', 'بہت اچھا']));
    expect(words.skip).toEqual(expect.arrayContaining(['تخطي', 'skip', 'nahi']));
    expect(words.negations).toEqual(expect.arrayContaining(['مو', 'not', 'nahi']));
  });

  it('asks the lookup for survey.rating.1 … 5, survey.skip, no_words, greeting_words and yes', () => {
    const asked: string[] = [];
    ratingWordsFrom((key) => {
      asked.push(key);
      return [];
    });
    expect(asked.sort()).toEqual(['greeting_words', 'no_words', 'survey.rating.1', 'survey.rating.2', 'survey.rating.3', 'survey.rating.4', 'survey.rating.5', 'survey.skip', 'yes']);
  });
});

describe('readRating', () => {
  const cases: Array<[string, Rating | null]> = [
    // Digits in every script, alone or with a few words.
    ['5', 5],
    ['1', 1],
    ['٤', 4],
    ['۳', 3],
    [' 2 ', 2],
    ['4️⃣', 4],
    ['5 ممتاز', 5],
    ['rating 4', 4],
    ['اعطيكم ٥', 5],
    ['my rating is 3', 3],
    // Scales and the button value.
    ['٤ من ٥', 4],
    ['4 من 5', 4],
    ['4/5', 4],
    ['٣/٥', 3],
    ['4 out of 5', 4],
    ['۵ میں سے ۴', 4],
    ['5 stars', 5],
    ['٤ نجوم', 4],
    ['خمس نجوم', 5],
    ['نجمتين', 2],
    ['rate:4', 4],
    ['rate:1', 1],
    ['I would give the whole service 4/5 if I am honest with you', 4],
    ['honestly after everything that happened I would give you 2 stars', 2],
    // Off-scale and numbers that are not ratings.
    ['10/10', null],
    ['3/10', null],
    ['7 stars', null],
    ['rate:9', null],
    ['0', null],
    ['6', null],
    ['2026', null],
    ['05', null],
    ['BSR-2026-00017', null],
    ['0501234567', null],
    ['+966 50 123 4567', null],
    ['1098765432', null],
    ['4/5/2026', null],
    ['4 5', null],
    ['I called 3 times last week and nobody answered', null],
    // Stars and faces.
    ['⭐⭐⭐⭐', 4],
    ['⭐', 1],
    ['🌟🌟🌟🌟🌟', 5],
    ['⭐🌟⭐', 3],
    ['★★★', 3],
    ['★★★☆☆', 3],
    ['⭐⭐⭐⭐⭐⭐⭐⭐', 5],
    ['5 ⭐', 5],
    ['😡', 1],
    ['👎', 1],
    ['☹️', 2],
    ['🙁', 2],
    ['😐', 3],
    ['🙂', 4],
    ['😊', 4],
    ['😍', 5],
    ['🤩🤩', 5],
    ['👍🏽', 5],
    ['😡😍', null],
    ['🙏', null],
    // Arabic, MSA and Gulf, with elongation, diacritics and spelling variants.
    ['ممتاز', 5],
    ['ممتاااااز', 5],
    ['مُمْتَاز', 5],
    ['ممتـــاز', 5],
    ['ممتازة', 5],
    ['الخدمة ممتازة', 5],
    ['رائع', 5],
    ['وايد زين', 5],
    ['جيد جدا', 4],
    ['جيد جداً', 4],
    ['جيد', 4],
    ['زين', 4],
    ['تمام', 4],
    ['متوسط', 3],
    ['مقبول', 3],
    ['عادي', 3],
    ['سيء', 2],
    ['سيئ', 2],
    ['مو زين', 2],
    ['مش كويس', 2],
    ['ما عجبني', 2],
    ['مو ممتاز', 2],
    ['مو سيء', 3],
    ['سيء جدا', 1],
    ['سيئة جداً', 1],
    ['زفت', 1],
    ['مو مرة زين', 2],
    ['وممتاز', 5],
    ['لا بأس', 3],
    ['الخدمة كانت ممتازة والموظفين متعاونين', 5],
    ['لا، ممتاز', 5],
    ['ما شاء الله ممتاز', 5],
    // English.
    ['excellent', 5],
    ['Excellent!!!', 5],
    ['great', 5],
    ['The service was excellent, thank you', 5],
    ['very good', 4],
    ['good', 4],
    ['goooood', 4],
    ['ok', 3],
    ['okay', 3],
    ['average', 3],
    ['not bad', 3],
    ['bad', 2],
    ['poor', 2],
    ['not good', 2],
    ['not happy', 2],
    ['not very good', 2],
    ['very bad', 1],
    ['terrible', 1],
    ['awful', 1],
    ['not that good', 2],
    ['not bad at all', 3],
    ['the service was ok', 3],
    ['no, good', 4],
    ['good, no complaints', 4],
    // Urdu script and Roman Urdu.
    ['bahut acha', 5],
    ['bohat acha', 5],
    ['بہت اچھا', 5],
    ['zabardast', 5],
    ['acha', 4],
    ['اچھا', 4],
    ['theek', 3],
    ['theek hai', 3],
    ['ٹھیک ہے', 3],
    ['bura', 2],
    ['برا', 2],
    ['acha nahi', 2],
    ['acha nahi tha', 2],
    ['bohat acha nahi', 2],
    ['pasand nahi aya', 2],
    ['acha theek hai', 3],
    ['اچھا نہیں', 2],
    ['bahut bura', 1],
    ['بہت برا', 1],
    // Readings that contradict each other, and messages that are not ratings.
    ['5 سيء جدا', null],
    ['⭐ ممتاز', null],
    ['ممتاز 👍', 5],
    ['good 🙂', 4],
    ['ok 👍', 3],
    ['😊👍', 5],
    ['متى يصدر القرار؟', null],
    ['متى يصدر القرار', null],
    ['هل الطلب 5 مقبول؟', null],
    ['good?', null],
    ['I want to ask about my request', null],
    ['أبغى أكلم موظف', null],
    ['الله يعطيكم العافية', null],
    ['شكرا', null],
    ['good morning', null],
    ['best regards', null],
    ['ok when will I get the answer', null],
    ['تمام بس متى يطلع القرار حق طلبي', null],
    ['baad mein', null],
    ['سے', null],
    ['السلام عليكم', null],
    ['the service was good but I still want to ask about my request', null],
    ['excellent good', null],
    ['', null],
    ['   ', null],
  ];

  it('has a table of realistic answers', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('%j → %p', (text, expected) => {
    expect(readRating(text, words)).toBe(expected);
  });
});

describe('isSkip', () => {
  it.each(['skip', 'Skip', 'تخطي', 'تخطى', 'لا شكرا', 'لا', 'no', 'no thanks', 'No thank you!', 'نہیں', 'nahi', '-', ' - ', 'بدون', 'بدون تقييم'])('%j skips', (text) => {
    expect(isSkip(text, words)).toBe(true);
  });

  it.each(['5', 'ممتاز', 'not good', 'لا ممتاز', 'no idea what to say', 'متى يصدر القرار؟', '', '--', 'شكرا'])('%j does not skip', (text) => {
    expect(isSkip(text, words)).toBe(false);
  });

  it('skip words are not ratings', () => {
    expect(words.skip.filter((w) => readRating(w, words) !== null)).toEqual([]);
  });
});

describe('the lists themselves', () => {
  it('every listed phrase reads as its own rating with all lists loaded (no clash, none shadowed)', () => {
    const wrong = ([1, 2, 3, 4, 5] as const).flatMap((r) => words.byRating[r].filter((w) => readRating(w, words) !== r).map((w) => `${w}: ${String(readRating(w, words))}, listed ${r}`));
    expect(wrong).toEqual([]);
  });
});
