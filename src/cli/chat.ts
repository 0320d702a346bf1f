/* CLI: the console channel. `npm run chat` for a terminal chat, `npm run chat -- --json` for machine mode. */
import { createInterface } from 'node:readline';
import { consoleMessage, decodeConsoleLine, encodeResult, renderForTerminal } from '../channels/console/console.codec';
import { failCli, startCli, type CliRuntime } from './bootstrap';

let sequence = 0;
const nextId = (): string => `console-${process.pid}-${Date.now()}-${(sequence += 1)}`;

async function machineMode(runtime: CliRuntime): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const decoded = decodeConsoleLine(line, nextId(), new Date());
    if (!decoded.ok) {
      process.stdout.write(`${encodeResult(null, null, decoded.error)}\n`);
      continue;
    }
    try {
      const result = await runtime.core.engine.handle(decoded.message);
      process.stdout.write(`${encodeResult(decoded.message.sender, result)}\n`);
    } catch (error) {
      runtime.logger.error({ err: error }, 'engine failed');
      process.stdout.write(`${encodeResult(decoded.message.sender, null, 'internal error: the message was not processed')}\n`);
    }
  }
}

async function interactiveMode(runtime: CliRuntime, sender: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  process.stdout.write('Basirah bot — type a message (Ctrl+D to quit)\n');
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() !== '') {
      const result = await runtime.core.engine.handle(consoleMessage(sender, line, nextId(), new Date()));
      process.stdout.write(`\n${renderForTerminal(result)}\n\n`);
    }
    rl.prompt();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const asIndex = args.indexOf('--as');
  const sender = asIndex >= 0 ? (args[asIndex + 1] ?? 'local-user') : 'local-user';
  const runtime = await startCli();
  try {
    if (args.includes('--json')) await machineMode(runtime);
    else await interactiveMode(runtime, sender);
  } finally {
    await runtime.services.close();
  }
}

main().catch(failCli);
