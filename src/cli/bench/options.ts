/** Command-line options of `npm run bench` and the plan (durations, sizes) they select. */

export interface BenchPlan {
  quick: boolean;
  /** Open-loop rates tried in order (msg/s), doubling until saturation; the last one bounds the ramp. */
  rates: number[];
  /** Seconds at each rate; the 100 msg/s step is the 60 s target. */
  secondsAt(rate: number): number;
  closedLoop: { families: number; seconds: number };
  /** One light-load step per visitor count. */
  lightLoad: { visitors: number[]; seconds: number };
  telegram: { rate: number; seconds: number };
  flood: { seconds: number; sockets: number; sessions: number; perSession: number };
  prefill: { messages: number; stepSeconds: number };
  idle: { conversations: number; maxSeconds: number };
  /** Follow-up drain: one Telegram chat each greets the bot at `greetRate`/s, then one survey per chat is due at once. */
  followUps: { chats: number; greetRate: number };
  baseline: { rawOps: number; bullJobs: number; echoSeconds: number };
  /** Longest wait for a backlog to clear before the next scenario starts on a fresh app. */
  drainSeconds: number;
  /** `--only a,b`: run only these steps (names compared without case, spaces or dashes); null runs all. */
  only: string[] | null;
}

const USAGE = `usage: npm run bench [-- --quick] [--only <step>[,<step>…]]
  --quick   short smoke run (under 2 minutes)
  --only    run only the named steps, e.g. --only followup-drain (the report goes to <date>.only-<steps>.md)`;

/** A step's name as `--only` compares it: "follow-up drain", "followup-drain" and "FollowUpDrain" are one name. */
export function stepKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function parsePlan(argv: readonly string[]): BenchPlan {
  const at = argv.indexOf('--only');
  const only = at >= 0 ? (argv[at + 1] ?? '').split(',').map(stepKey).filter((k) => k !== '') : null;
  if (only !== null && only.length === 0) throw new Error(`--only needs step names\n${USAGE}`);
  const unknown = argv.filter((a, i) => a !== '--quick' && !(at >= 0 && (i === at || i === at + 1)));
  if (unknown.length > 0 || argv.includes('--help')) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  return { ...(argv.includes('--quick') ? QUICK : FULL), only };
}

const FULL: BenchPlan = {
  quick: false,
  rates: [25, 50, 100, 200, 400, 800],
  secondsAt: (rate) => (rate === 100 ? 60 : 20),
  closedLoop: { families: 50, seconds: 30 },
  lightLoad: { visitors: [5, 20], seconds: 20 },
  telegram: { rate: 10, seconds: 30 },
  flood: { seconds: 30, sockets: 50, sessions: 50, perSession: 500 },
  prefill: { messages: 100_000, stepSeconds: 20 },
  idle: { conversations: 10_000, maxSeconds: 150 },
  // A greeting is two bubbles: 14 greetings a second stay under Telegram's 30 sends, so they do not queue behind the limit.
  followUps: { chats: 1_000, greetRate: 14 },
  baseline: { rawOps: 2_000, bullJobs: 20_000, echoSeconds: 15 },
  drainSeconds: 60,
  only: null,
};

const QUICK: BenchPlan = {
  quick: true,
  rates: [25, 50, 100],
  secondsAt: (rate) => (rate === 100 ? 6 : 3),
  closedLoop: { families: 20, seconds: 5 },
  lightLoad: { visitors: [5], seconds: 5 },
  telegram: { rate: 5, seconds: 4 },
  flood: { seconds: 5, sockets: 20, sessions: 20, perSession: 50 },
  prefill: { messages: 10_000, stepSeconds: 3 },
  idle: { conversations: 300, maxSeconds: 8 },
  followUps: { chats: 200, greetRate: 14 },
  baseline: { rawOps: 200, bullJobs: 2_000, echoSeconds: 2 },
  drainSeconds: 10,
  only: null,
};
