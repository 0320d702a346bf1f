import type { AppConfig } from '../config/config';
import { Engine } from '../engine/engine';
import type { Clock, EnginePorts, FaultReporter, IntentClassifier } from '../engine/ports';
import { createLogger } from '../logging/logger';
import { I18nTranslator } from '../i18n/translator';
import { NluClassifier } from '../nlu/classifier';
import { LOCALES_DIR, loadTrainingPhrases } from '../nlu/training-data';
import { MongoConversationStore } from '../persistence/conversation.store';
import { RecoveringConversationStore } from '../persistence/recovering-conversation.store';
import { MongoHandoffRepository } from '../persistence/handoff.repository';
import { createFollowUpModels, type FollowUpModels } from '../persistence/followup.models';
import { createModels, type Models } from '../persistence/models';
import { MongoSurveyRepository, MongoTaskRepository } from '../persistence/survey.repository';
import { MongoFeedbackRepository, MongoVolunteerRepository } from '../persistence/records.repository';
import { RedisAttemptLimiter, RedisConversationLock } from '../persistence/redis-coordination';
import { MongoRequestRepository } from '../persistence/request.repository';
import type { Services } from './services';

export const systemClock: Clock = { now: () => new Date() };

/** Trains the intent classifier from locales/<lng>/nlu.json (about a second). */
export function trainClassifier(): IntentClassifier {
  return NluClassifier.train(loadTrainingPhrases());
}

export interface Core {
  engine: Engine;
  ports: EnginePorts;
  models: Models;
  requests: MongoRequestRepository;
  handoffs: MongoHandoffRepository;
  followUpModels: FollowUpModels;
  surveys: MongoSurveyRepository;
  tasks: MongoTaskRepository;
}

/** Wires the engine to the real services. `overrides` lets tests inject a clock or a pre-trained classifier. */
export async function buildCore(
  config: Pick<AppConfig, 'handoffNoticeMinutes' | 'draftResumeMinutes'>,
  services: Services,
  overrides: Partial<Pick<EnginePorts, 'clock' | 'classifier' | 'faults'>> = {},
): Promise<Core> {
  const faults = overrides.faults ?? loggingFaults();
  const models = await createModels(services.mongo);
  const hash = (key: string): string => services.cipher.digest('redis-key', key);
  const requests = new MongoRequestRepository(models, services.cipher);
  const handoffs = new MongoHandoffRepository(models, services.cipher);
  const followUpModels = await createFollowUpModels(services.mongo);
  const surveys = new MongoSurveyRepository(followUpModels, services.cipher);
  const tasks = new MongoTaskRepository(followUpModels);
  const ports: EnginePorts = {
    conversations: new RecoveringConversationStore(new MongoConversationStore(models, services.cipher), models, services.cipher, faults),
    lock: new RedisConversationLock(services.redis, hash),
    requests,
    handoffs,
    volunteers: new MongoVolunteerRepository(models, services.cipher),
    feedback: new MongoFeedbackRepository(models, services.cipher),
    attempts: new RedisAttemptLimiter(services.redis, hash),
    surveys,
    tasks,
    clock: overrides.clock ?? systemClock,
    translator: I18nTranslator.load(LOCALES_DIR),
    classifier: overrides.classifier ?? trainClassifier(),
    settings: { handoffNoticeMinutes: config.handoffNoticeMinutes, draftResumeMinutes: config.draftResumeMinutes },
    faults,
  };
  return { engine: new Engine(ports), ports, models, requests, handoffs, followUpModels, surveys, tasks };
}

/** Unreadable records reach staff as error logs (stderr; ids only, never the data). */
function loggingFaults(): FaultReporter {
  const logger = createLogger('error');
  return { unreadableRecord: (detail) => logger.error({ detail }, 'stored record unreadable: the person was given an apology') };
}
