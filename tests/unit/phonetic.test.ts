import { normalizeForMatching } from '../../src/nlu/normalize';
import { phoneticKey } from '../../src/nlu/phonetic';

const key = (text: string): string => phoneticKey(normalizeForMatching(text));

describe('phonetic skeleton', () => {
  it.each([
    ['طلب', '6alab'],
    ['طلب', 'talab'],
    ['تقديم', 'ta8deem'],
    ['تقديم', 'tagdeem'],
    ['مساعدة', 'msa3da'],
    ['خدمات', '5adamat'],
    ['عليكم', '3likom'],
    ['شكرا', 'shkra'],
    ['درخواست', 'darkhwast'],
    ['ابغى', 'abgha'],
  ])('gives "%s" and "%s" the same key', (script, latin) => {
    expect(key(script)).toBe(key(latin));
    expect(key(script).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps letters that change the word apart', () => {
    expect(key('حالة')).not.toBe(key('خالة'));
    expect(key('عمل')).not.toBe(key('امل'));
    expect(key('please')).toBe(key('pls'));
  });

  it('gives nothing for numbers and words made only of vowels', () => {
    expect(key('12345')).toBe('');
    expect(key('aaa')).toBe('');
    expect(key('او')).toBe('');
  });
});
