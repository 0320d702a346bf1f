import { readName, readPlace } from '../../src/engine/plausible';
import { isPrivacyQuestion } from '../../src/engine/privacy';
import { numberAnswer } from '../../src/engine/flows/text-answers';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';

const translator = I18nTranslator.load(LOCALES_DIR);

describe('names are short and say nothing else (plausible.ts)', () => {
  it.each([
    ['ما ابي اعطيكم اسمي'],
    ['وش فايدة الاسم'],
    ['انا ما اعرف اكتب زين'],
    ['ما اعرف اكتب'],
    ['i dont understand'],
    ['what is iqama'],
    ['ليش تبون اسمه'],
    ['الايجار متاخر وعندي عيال بالمدارس ومحتاجين مصاريف'],
    ['darkhwast dena hai'],
    ['mujhe samajh nahi aaya'],
  ])('«%s» is not a name', (text) => {
    expect(readName(text, translator)).toEqual({ ok: false, reason: 'not_name' });
  });

  it.each([
    ['اسمي نوره سعد العتيبي', 'نوره سعد العتيبي'],
    ['اسمه فهد ناصر الدوسري', 'فهد ناصر الدوسري'],
    ['my name is John Smith', 'John Smith'],
    ['mera naam Muhammad Aslam hai', 'Muhammad Aslam'],
    ['ام محمد الدوسري', 'ام محمد الدوسري'],
    ['Muhammad Aslam', 'Muhammad Aslam'],
    ['محمد بن عبدالله بن سعد العتيبي', 'محمد بن عبدالله بن سعد العتيبي'],
    ['زين العابدين آل ثاني', 'زين العابدين آل ثاني'],
    ['Will Johnson', 'Will Johnson'],
  ])('«%s» gives the name «%s» without its prefix', (text, name) => {
    expect(readName(text, translator)).toEqual({ ok: true, name });
  });

  it('one name is not the full name; a kunya alone is asked to be completed', () => {
    expect(readName('اسمي نوره', translator)).toEqual({ ok: false, reason: 'one_name' });
    expect(readName('ام فهد', translator)).toEqual({ ok: false, reason: 'kunya' });
  });

  it('a place is a short name, not "other" or a sentence', () => {
    expect(readPlace('other', translator, 3, 100)).toBeNull();
    expect(readPlace('اخرى', translator, 3, 100)).toBeNull();
    expect(readPlace('اقدر اساعد بالتدريس للعيال', translator, 2, 60)).toBeNull();
    expect(readPlace('الخبر', translator, 2, 60)).toBe('الخبر');
    expect(readPlace('سجن القطيف', translator, 3, 100)).toBe('سجن القطيف');
    expect(readPlace('Al Khobar', translator, 2, 60)).toBe('Al Khobar');
  });
});

describe('one number with words around it (numberAnswer)', () => {
  it.each([
    ['هويتي ١٣٤٠٨٧٣٧٦٧', '١٣٤٠٨٧٣٧٦٧'],
    ['mera iqama 2568685305', '2568685305'],
    ['جوالي 0555123456', '0555123456'],
    ['الرقم ٠٥٥٥١٢٣٤٥٦', '٠٥٥٥١٢٣٤٥٦'],
    ['my number: 055 512 3456', '055 512 3456'],
    ['0555123456', '0555123456'],
  ])('«%s» gives «%s»', (text, number) => {
    expect(numberAnswer(text)).toBe(number);
  });

  it('words between numbers are not one number', () => {
    expect(numberAnswer('0555123456 or 0555987654')).toBe('0555123456 or 0555987654');
  });
});

describe('questions about one\'s data (isPrivacyQuestion)', () => {
  it.each(['هل بياناتي سريه', 'وش تبون بالجوال', 'ليش تبون اسمه', 'why do you need my iqama?', 'is my data safe', 'who can see my information', 'aap ko mera number kyun chahiye'])('«%s» asks about privacy', (text) => {
    expect(isPrivacyQuestion(text, translator)).toBe(true);
  });

  it.each(['ابي اعدل بياناتي', 'my data is wrong', 'is my name correct', 'وش الاوراق المطلوبة'])('«%s» does not', (text) => {
    expect(isPrivacyQuestion(text, translator)).toBe(false);
  });
});
