import { matchOptionExactly, matchOptionLoosely } from '../../src/engine/option-words';
import { findReference, isBareReference } from '../../src/engine/reference';
import { parseLastFour } from '../../src/engine/flows/text-answers';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { RELATIONS, SUPPORT_TYPES } from '../../src/domain/support-request';

const translator = I18nTranslator.load(LOCALES_DIR);
const relations = RELATIONS.map((r) => ({ value: `relation:${r}`, label: translator.t('ar', `request.relation.${r}`) }));
const supports = SUPPORT_TYPES.map((s) => ({ value: `support:${s}`, label: translator.t('ar', `request.support_type.${s}`) }));
const attest = [
  { value: 'attest:confirm', label: translator.t('ar', 'request.attest_confirm') },
  { value: 'attest:edit', label: translator.t('ar', 'request.attest_edit') },
];

describe('words for options (locales/<lng>/keywords.json options.*)', () => {
  it.each([
    ['زوجي', 'relation:spouse'],
    ['brother', 'relation:sibling'],
    ['bhai', 'relation:sibling'],
    ['بھائی', 'relation:sibling'],
    ['ابوي', 'relation:child'],
    ['فلوس', 'support:financial'],
    ['paise', 'support:financial'],
  ])('«%s» as the whole message picks %s', (text, value) => {
    expect(matchOptionExactly(text, [...relations, ...supports], translator)).toBe(value);
  });

  it.each([
    ['انا زوجته', 'relation:spouse'],
    ['he is my husband', 'relation:spouse'],
    ['اخويا', 'relation:sibling'],
    ['brothr', 'relation:sibling'],
  ])('«%s» inside or close to a synonym picks %s', (text, value) => {
    expect(matchOptionLoosely(text, relations, translator)).toBe(value);
  });

  it('short words one edit apart are not the same word: «العام» is not «الأم»', () => {
    expect(matchOptionLoosely('العام', relations, translator)).toBeNull();
    expect(matchOptionLoosely('سجن العام', relations, translator)).toBeNull();
  });

  it.each([
    ['الزوج', 'relation:spouse'],
    ['ابن عمي', 'relation:other'],
    ['هو ابن عمي', 'relation:other'],
    ['my nephew', 'relation:other'],
  ])('«%s» (the article stripped, a relative named in two words) picks %s', (text, value) => {
    expect(matchOptionExactly(text, relations, translator) ?? matchOptionLoosely(text, relations, translator)).toBe(value);
  });

  it('takes the label typed out, in any language', () => {
    expect(matchOptionExactly('دعم مالي', supports, translator)).toBe('support:financial');
  });

  it('a negation blocks a contained word, but a leading «لا» before what is wanted does not', () => {
    expect(matchOptionLoosely('لا ما اؤكد شي', attest, translator)).toBeNull();
    const resume = [
      { value: 'resume:continue', label: translator.t('ar', 'request.resume_continue') },
      { value: 'resume:restart', label: translator.t('ar', 'request.resume_restart') },
    ];
    expect(matchOptionLoosely('لا ابي ابدا من جديد', resume, translator)).toBe('resume:restart');
  });

  it('never reads the attestation from a near spelling («اوكي» is one edit from «اوكد»)', () => {
    expect(matchOptionLoosely('اوكي', attest, translator)).toBeNull();
    expect(matchOptionExactly('اوكي', attest, translator)).toBeNull();
    expect(matchOptionExactly('أقر', attest, translator)).toBe('attest:confirm');
    expect(matchOptionExactly('I confirm', attest, translator)).toBe('attest:confirm');
  });

  it('a tie names nothing', () => {
    expect(matchOptionLoosely('زوجي او اخوي', relations, translator)).toBeNull();
  });
});

describe('references and last four digits in words', () => {
  it('finds a reference with words around it, in any digits', () => {
    expect(findReference('رقم الطلب BSR-2026-00017 لو سمحت')).toBe('BSR-2026-00017');
    expect(findReference('bsr ٢٠٢٦ ١٧')).toBe('BSR-2026-00017');
    expect(findReference('ابي اعرف وين طلبي')).toBeNull();
  });

  it('a bare reference is one with at most a few words around it', () => {
    expect(isBareReference('رقم الطلب BSR-2026-00017')).toBe(true);
    expect(isBareReference('my friend gave me BSR-2026-00017 but I do not know whose request it is at all')).toBe(false);
  });

  it('reads the last four digits with words around them, but not from two numbers', () => {
    expect(parseLastFour('اخر اربعه ارقام ٤٨٢١')).toBe('4821');
    expect(parseLastFour('4821')).toBe('4821');
    expect(parseLastFour('4821 or 1234')).toBeNull();
  });
});
