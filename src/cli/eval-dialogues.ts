/* CLI: `npm run eval:dialogues` — plays the dialogue suite through the real engine and prints the share reaching its goal. */
import { LANGUAGES, type Language } from '../domain/language';
import { loadConfig } from '../config/config';
import { buildCore } from '../runtime/engine-factory';
import { connectServices } from '../runtime/services';
import { failCli } from './bootstrap';
import { runDialogue, type DialogueResult } from './dialogue-runner';
import { loadDialogues } from './dialogue-suite';

/** A throwaway database, dropped at the end: the suite never touches real conversations. */
const DB = `basirah_dialogues_${process.pid}`;

/** The engine's clock for the suite: real time that the runner may move forward (handoff notices, stale drafts). */
class MovableClock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--failures');
  const only = args.find((a) => !a.startsWith('--'));
  const config = { ...loadConfig(), mongoDb: DB };
  const services = await connectServices(config, (line) => void process.stderr.write(`${line}\n`));
  const clock = new MovableClock();
  try {
    const core = await buildCore(config, services, { clock });
    const world = { core, cipher: services.cipher, clock };
    const results: DialogueResult[] = [];
    for (const language of LANGUAGES) {
      for (const dialogue of loadDialogues(language)) {
        if (only && !dialogue.id.includes(only)) continue;
        results.push(await runDialogue(world, dialogue));
      }
    }
    report(results, verbose || only !== undefined);
    if (args.includes('--transcript')) for (const r of results) console.log(`\n== ${r.id}\n${r.transcript.join('\n')}`);
  } finally {
    await services.mongo.dropDatabase().catch(() => undefined);
    await services.close();
  }
}

function report(results: DialogueResult[], verbose: boolean): void {
  const line = (label: string, rs: DialogueResult[]): void => {
    const goal = rs.filter((r) => r.goalReached).length;
    const all = rs.filter((r) => r.failures.length === 0).length;
    console.log(`${label.padEnd(8)} dialogues=${String(rs.length).padStart(4)}  goal reached, no wrong data: ${percent(goal, rs.length).padStart(7)}  every expectation held: ${percent(all, rs.length).padStart(7)}`);
  };
  for (const language of LANGUAGES) line(language, results.filter((r) => r.language === (language as Language)));
  line('overall', results);
  if (!verbose) return;
  for (const r of results.filter((x) => x.failures.length > 0)) {
    console.log(`\n${r.id}`);
    for (const f of r.failures) console.log(`  - ${f}`);
  }
}

main().catch(failCli);
