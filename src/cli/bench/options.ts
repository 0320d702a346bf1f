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
  baseline: { rawOps: number; bullJobs: number; echoSeconds: number };
  /** Longest wait for a backlog to clear before the next scenario starts on a fresh app. */
  drainSeconds: number;
}

const USAGE = `usage: npm run bench [-- --quick]
  --quick   short smoke run (under 2 minutes)`;

export function parsePlan(argv: readonly string[]): BenchPlan {
  const unknown = argv.filter((a) => a !== '--quick');
  if (unknown.length > 0 || argv.includes('--help')) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  return argv.includes('--quick') ? QUICK : FULL;
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
  baseline: { rawOps: 2_000, bullJobs: 20_000, echoSeconds: 15 },
  drainSeconds: 60,
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
  baseline: { rawOps: 200, bullJobs: 2_000, echoSeconds: 2 },
  drainSeconds: 10,
};
