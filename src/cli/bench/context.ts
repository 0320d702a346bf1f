import type { AppConfig } from '../../config/config';
import type { AppHandle } from './app-handle';
import type { FakeBotApi } from './fake-bot-api';
import type { JourneyMaker } from './journeys';
import type { Background, BaselineResult, StepResult } from './measure';
import type { BenchPlan } from './options';
import type { ServicePids } from './proc-cpu';

/** The Telegram settings the app runs with (webhook mode against the fake Bot API). */
export interface TelegramTarget {
  token: string;
  secret: string;
  /** The webhook route's path on the app's HTTP port. */
  path: string;
}

/** What every scenario gets: the running app, the servers' pids, the fake Bot API and the mix. */
export interface BenchContext {
  plan: BenchPlan;
  app: AppHandle;
  /** Replaces the app with a fresh one on a new database and queue prefix (after a backlog that would not drain). */
  restartApp(reason: string): Promise<void>;
  pids: ServicePids;
  /** The servers' idle CPU (ms/s), subtracted from their share of each step. */
  background: Background;
  fake: FakeBotApi;
  telegram: TelegramTarget;
  journeys: JourneyMaker;
  mongoUri: string;
  redisUrl: string;
  /** The database the running app uses. */
  database: () => string;
  /** The queue prefix the running app uses (its keys are deleted at the end). */
  queuePrefix: () => string;
  /** The configuration the running app parsed from its environment (same database, prefix and keys). */
  appConfig: () => AppConfig;
  results: StepResult[];
  baselines: BaselineResult[];
  /** Prints one report line now (the report file gets the structured result). */
  say(line: string): void;
}
