import type { AddressInfo } from 'node:net';
import type { ChannelModule } from '../../src/channels/module';
import { DashboardCountsRepository } from '../../src/persistence/dashboard-counts.repository';
import { createModels } from '../../src/persistence/models';
import { startConsoleHarness, type ConsoleHarness } from './console';
import { FakeTelegramApi } from './fake-telegram-api';
import { startTestPipeline } from './pipeline';
import { TEST_BOT_TOKEN, testTelegramModule } from './telegram';

/** The browser tests' world: beneficiaries on Telegram (a fake Bot API), the real pipeline, and the console listening on a local port. */
export interface TelegramConsole {
  api: FakeTelegramApi;
  run: Awaited<ReturnType<typeof startTestPipeline>>;
  c: ConsoleHarness;
  /** The console's origin, `http://localhost:<port>`. */
  base: string;
  close(): Promise<void>;
}

/**
 * `eventStreamMaxMs`: how long one inbox event stream lasts; `databaseCounts`: the dashboard
 * counts what the database holds instead of the fake counts the test sets.
 */
export async function startTelegramConsole(label: string, options: { eventStreamMaxMs: number; databaseCounts?: boolean }): Promise<TelegramConsole> {
  const api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
  let telegram: ChannelModule | undefined;
  const run = await startTestPipeline(label, (deps) => {
    telegram = testTelegramModule(api, deps.sink, deps.env);
    return [telegram];
  });
  await telegram?.runtime?.start();
  const counts = options.databaseCounts ? { counts: new DashboardCountsRepository(await createModels(run.env.services.mongo)) } : {};
  const c = await startConsoleHarness(label, { pipeline: run, eventStreamMaxMs: options.eventStreamMaxMs, ...counts });
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    api,
    run,
    c,
    base: `http://localhost:${(c.app.server.address() as AddressInfo).port}`,
    async close() {
      await c.close();
      await telegram?.runtime?.stop();
      await run.close();
      await api.close();
    },
  };
}
