import { buildCore, type Core } from '../../src/runtime/engine-factory';
import { NluClassifier } from '../../src/nlu/classifier';
import { loadTrainingPhrases } from '../../src/nlu/training-data';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import type { Language } from '../../src/domain/language';
import { connectTestServices } from './services';
import { ManualClock } from './fixtures';

let classifier: NluClassifier | null = null;
/** Training takes about a second; one model is shared by the tests of a file. */
export function sharedClassifier(): NluClassifier {
  classifier ??= NluClassifier.train(loadTrainingPhrases());
  return classifier;
}

const translator = I18nTranslator.load(LOCALES_DIR);
/** Expected texts come from the locale files, so tests follow content edits. */
export const t = (lang: Language, key: string, params?: Record<string, string | number>): string => translator.t(lang, key, params);

export interface TestEngine {
  core: Core;
  clock: ManualClock;
  services: Awaited<ReturnType<typeof connectTestServices>>;
  /** Builds a second engine on the same database, as after a process restart. */
  restart(): Promise<Core>;
  teardown(): Promise<void>;
}

export async function startTestEngine(
  label: string,
  settings = { handoffNoticeMinutes: 5, draftResumeMinutes: 30 },
  shared: Parameters<typeof connectTestServices>[1] = {},
): Promise<TestEngine> {
  const services = await connectTestServices(label, shared);
  const clock = new ManualClock();
  const core = await buildCore(settings, services, { clock, classifier: sharedClassifier() });
  return {
    core,
    clock,
    services,
    restart: () => buildCore(settings, services, { clock, classifier: sharedClassifier() }),
    async teardown() {
      await services.drop();
      await services.close();
    },
  };
}
