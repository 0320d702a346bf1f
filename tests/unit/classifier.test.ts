import { DEFAULT_THRESHOLDS, NluClassifier, withinOneEdit, type TrainingPhrase } from '../../src/nlu/classifier';
import { loadTrainingPhrases } from '../../src/nlu/training-data';
import { evaluate } from '../../src/nlu/evaluate';

const tiny: TrainingPhrase[] = [
  ...['ابي اقدم طلب دعم', 'اريد تقديم طلب مساعدة', 'كيف اقدم طلب', 'تقديم طلب جديد'].map((text) => ({ text, intent: 'request_new' as const, language: 'ar' as const })),
  ...['وين وصل طلبي', 'حالة طلبي', 'وش صار على طلبي', 'متابعة الطلب'].map((text) => ({ text, intent: 'request_status' as const, language: 'ar' as const })),
  ...['كم سعر الذهب', 'مباراة الهلال اليوم', 'وش الطقس بكرة', 'وصفة كبسة'].map((text) => ({ text, intent: 'unknown' as const, language: 'ar' as const })),
];

describe('classifier guards', () => {
  const small = NluClassifier.train(tiny);

  it('recognises trained intents', () => {
    const r = small.classify('ابي اقدم طلب دعم');
    expect(r).toMatchObject({ type: 'intent', intent: 'request_new' });
  });

  it('calls text with no known words unknown (coverage rule), however the model leans', () => {
    expect(small.coverage('بلابلا زززز قققق')).toBe(0);
    expect(small.classify('بلابلا زززز قققق').type).toBe('unknown');
  });

  it('maps off-topic text to the explicit unknown class', () => {
    expect(small.classify('كم سعر الذهب').type).toBe('unknown');
  });

  it('offers the two best intents instead of guessing when the best is not probable enough', () => {
    const strict = NluClassifier.train(tiny, { ...DEFAULT_THRESHOLDS, confidentProbability: 0.99 });
    const r = strict.classify('طلب');
    expect(r.type).toBe('unsure');
    if (r.type === 'unsure') expect([...r.candidates].sort()).toEqual(['request_new', 'request_status']);
  });

  it('counts an Arabizi word as known when its Arabic spelling was trained (coverage by consonant skeleton)', () => {
    expect(small.coverage('a8adem 6alab')).toBe(1);
    expect(small.coverage('a8adem dinner')).toBe(0.5);
  });

  it('uses the skeleton only across scripts: an unknown Arabic word that sounds like a known one stays unknown', () => {
    expect(small.coverage('تلب')).toBe(0); // same skeleton as the trained «طلب», same script
  });

  it('counts two known words typed without a space as known', () => {
    expect(small.coverage('اقدمطلب')).toBe(1);
    expect(small.coverage('اقدمبرتقال')).toBe(0);
  });

  it('tolerates one typo in longer words for coverage', () => {
    expect(withinOneEdit('الخدمات', 'الخدمت')).toBe(true);
    expect(withinOneEdit('الخدمات', 'الخد')).toBe(false);
  });

  it('is deterministic: the same data gives the same scores', () => {
    const phrases = loadTrainingPhrases();
    const a = NluClassifier.train(phrases).scores('ابي اعرف وش صار على طلبي');
    const b = NluClassifier.train(phrases).scores('ابي اعرف وش صار على طلبي');
    expect(a.ranked).toEqual(b.ranked);
  });
});

describe('evaluation', () => {
  it('counts an offer of two intents as right for neither in-scope nor off-topic text', () => {
    const strict = NluClassifier.train(tiny, { ...DEFAULT_THRESHOLDS, confidentProbability: 0.99 });
    expect(strict.classify('طلب').type).toBe('unsure');
    const report = evaluate(strict, [
      { text: 'طلب', intent: 'request_new', language: 'ar' },
      { text: 'طلب', intent: 'unknown', language: 'ar' },
      { text: 'كم سعر الذهب', intent: 'unknown', language: 'ar' },
    ]);
    expect(report.inScope).toEqual({ total: 1, correct: 0, offered: 1 });
    expect(report.offTopic).toEqual({ total: 2, correct: 1, offered: 0 });
    expect(report.errors.map((e) => e.got)).toEqual(['unsure(request_new|request_status)', 'unsure(request_new|request_status)']);
  });
});
