import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Telegraf } from 'telegraf';
import { message } from 'telegraf/filters';
import type { BenchContext } from './context';
import { inProcess, newTally, startCpu, stepResult } from './measure';
import { formatCpu } from './report-lines';
import { TelegramDriver } from './telegram-driver';
import { formatLatency } from './stats';

const ECHO_TOKEN = '7000000099:AAEchoBaselineTokenForBenchOnly_xyz';
const ECHO_SECRET = 'bench-echo-secret-0123456789';

/**
 * Baseline (c): a bare telegraf echo bot, webhook mode, on the same fake Bot API: what the
 * framework and HTTP cost with no storage or queues. Driven at the Telegram scenario's rate and
 * closed-loop with 8 chats for its ceiling.
 */
export async function telegrafEchoBaseline(ctx: BenchContext): Promise<void> {
  const bot = new Telegraf(ECHO_TOKEN, { telegram: { apiRoot: ctx.fake.apiRoot, webhookReply: false } });
  bot.on(message('text'), (c) => c.reply(c.message.text).then(() => undefined));
  const handler = bot.webhookCallback('/echo', { secretToken: ECHO_SECRET });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`, secret: ECHO_SECRET };
  try {
    const seconds = ctx.plan.baseline.echoSeconds;
    const modes: Array<{ label: string; drive: (d: TelegramDriver) => Promise<void> }> = [
      { label: `${ctx.plan.telegram.rate} msg/s`, drive: (d) => d.run(ctx.plan.telegram.rate, seconds, () => ctx.journeys.next()) },
      { label: 'closed loop, 8 chats', drive: (d) => d.runClosed(8, seconds, () => ctx.journeys.next()) },
    ];
    for (const [i, mode] of modes.entries()) {
      const tally = newTally();
      const driver = new TelegramDriver(ctx.fake, target, tally, 0, 900_000_000 + i * 1_000_000, 10_000);
      const stopCpu = await startCpu(null, ctx);
      const start = performance.now();
      await mode.drive(driver);
      await driver.drain(10_000);
      const step = stepResult('baseline', mode.label, tally, start, inProcess(await stopCpu()), null, seconds);
      ctx.baselines.push({ name: `telegraf echo bot (webhook), ${mode.label}`, unit: 'msg/s', rate: step.throughput, latency: step.latency, cpuPerMessage: step.cpuPerMessage });
      ctx.say(`baseline: telegraf echo bot, ${mode.label}: ${step.throughput.toFixed(0)} msg/s (${step.answered} answered) | ${formatLatency(step.latency)} | ${formatCpu(step.cpuPerMessage)}`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
