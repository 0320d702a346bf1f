import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTENTS } from '../../src/domain/intents';
import { LANGUAGES } from '../../src/domain/language';
import { phrasingKey, splitBySeen } from '../../src/nlu/evaluate';
import { loadTrainingPhrases } from '../../src/nlu/training-data';

const BLIND_SETS = ['heldout.json', 'heldout-2.json'];

describe.each(BLIND_SETS)('blind set %s', (file) => {
  const blind = JSON.parse(readFileSync(join(__dirname, '..', 'nlu', file), 'utf8')) as Record<string, Record<string, string[]>>;

  it('covers every intent in every language', () => {
    for (const language of LANGUAGES) {
      expect(Object.keys(blind[language] ?? {}).sort()).toEqual([...INTENTS].sort());
      for (const intent of INTENTS) expect((blind[language]?.[intent] ?? []).length).toBeGreaterThanOrEqual(6);
    }
  });

  it('labels every phrasing it shares with training the same way (one of the two would be wrong otherwise)', () => {
    const trained = new Map(loadTrainingPhrases().map((p) => [phrasingKey(p.text), p.intent]));
    // On failure only where, never the blind phrasing itself: whoever reads it would train on it.
    const disagreements = LANGUAGES.flatMap((language) =>
      Object.entries(blind[language] ?? {}).flatMap(([intent, list]) =>
        list.flatMap((text, index) => {
          const trainedAs = trained.get(phrasingKey(text));
          return trainedAs !== undefined && trainedAs !== intent ? [`${language}/${intent}[${index}] is trained as ${trainedAs}`] : [];
        }),
      ),
    );
    expect(disagreements).toEqual([]);
  });
});

describe('splitBySeen', () => {
  it('leaves out of the measure the test phrasings that training already holds, spelling variants included', () => {
    const training = [{ text: 'السلام عليكم', intent: 'greeting' as const, language: 'ar' as const }];
    const cases = [
      { text: 'السَّلامُ عليكم!', intent: 'greeting' as const, language: 'ar' as const },
      { text: 'السلام عليكم يا جماعة', intent: 'greeting' as const, language: 'ar' as const },
    ];
    const { seen, unseen } = splitBySeen(cases, training);
    expect(seen.map((c) => c.text)).toEqual(['السَّلامُ عليكم!']);
    expect(unseen.map((c) => c.text)).toEqual(['السلام عليكم يا جماعة']);
  });
});
