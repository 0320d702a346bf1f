import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { runWebRate } from './open-loop.scenario';
import { BSON, ObjectId, withDatabase, type Db, type Document } from './raw-mongo';

const BATCH = 1000;
const SAMPLE = 500;

type Path = string[];

function getPath(doc: Document, path: Path): unknown {
  let value: unknown = doc;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function setPath(doc: Document, path: Path, value: unknown): void {
  let target: Record<string, unknown> = doc;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (next === null || typeof next !== 'object') return;
    target = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) target[last] = value;
}

/** A value that keeps its type but differs from every stored one. */
function distinct(value: unknown, n: number): unknown {
  if (typeof value === 'string') return `${value}~fill${n}`;
  if (typeof value === 'number') return value + 1e12 + n;
  if (value instanceof ObjectId) return new ObjectId();
  return value;
}

async function inboundCollection(db: Db): Promise<string> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const name = names.find((n) => /inbound/i.test(n));
  if (!name) throw new Error(`no inbound collection among ${names.join(', ')}`);
  return name;
}

async function countInbound(db: Db): Promise<number> {
  return db.collection(await inboundCollection(db)).estimatedDocumentCount();
}

/**
 * The inbound log as the app stores it, found by name (the pipeline rewrite may rename or reshape
 * it; this only assumes a collection whose name says "inbound"). Copies of its stored documents
 * go in with every uniquely indexed field (and _id) made distinct, so they are as the app wrote them.
 */
async function fillInbound(db: Db, total: number): Promise<{ collection: string; inserted: number; seconds: number }> {
  const name = await inboundCollection(db);
  const collection = db.collection(name);
  const samples = await collection.find({}).limit(SAMPLE).toArray();
  if (samples.length === 0) throw new Error(`${name} is empty: nothing to copy`);
  // One field per unique index is enough to make a copy distinct: the last, most specific one (the message id).
  const unique = (await collection.listIndexes().toArray()).filter((i) => i.unique === true).flatMap((i) => Object.keys(i.key as Document).slice(-1));
  const paths: Path[] = [...new Set(['_id', ...unique])].map((k) => k.split('.'));
  const start = performance.now();
  let inserted = 0;
  while (inserted < total) {
    const batch = Array.from({ length: Math.min(BATCH, total - inserted) }, (_, i) => {
      const n = inserted + i;
      const copy = BSON.deserialize(BSON.serialize(samples[n % samples.length] as Document));
      for (const path of paths) setPath(copy, path, distinct(getPath(copy, path), n));
      return copy;
    });
    const result = await collection.insertMany(batch, { ordered: false });
    inserted += result.insertedCount;
  }
  return { collection: name, inserted, seconds: (performance.now() - start) / 1000 };
}

/**
 * Cost per message on an empty database and on one holding 100,000 stored messages: the same
 * short fixed-rate step before and after a raw-driver bulk insert into the inbound collection.
 */
export async function prefillScenario(ctx: BenchContext, rate: number): Promise<void> {
  const { messages, stepSeconds } = ctx.plan.prefill;
  // From an empty database (the quick run keeps its app and whatever earlier steps stored).
  if (!ctx.plan.quick) await ctx.restartApp('an empty database for the pre-filled comparison');
  const before = await runWebRate(ctx, 'pre-filled db', rate, stepSeconds);
  const storedBefore = await withDatabase(ctx.mongoUri, ctx.database(), (db) => countInbound(db));
  before.label = `${storedBefore} stored before the step, ${before.label}`;
  const fill = await withDatabase(ctx.mongoUri, ctx.database(), (db) => fillInbound(db, messages));
  ctx.say(`pre-filled db: inserted ${fill.inserted} copies of stored messages into ${fill.collection} in ${fill.seconds.toFixed(1)} s (${(fill.inserted / fill.seconds).toFixed(0)} docs/s, raw driver insertMany)`);
  const after = await runWebRate(ctx, 'pre-filled db', rate, stepSeconds);
  after.label = `after +${fill.inserted} stored messages, ${after.label}`;
  after.notes = [...(after.notes ?? []), `fill: ${fill.inserted} docs into ${fill.collection} in ${fill.seconds.toFixed(1)} s`];
  const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  ctx.say(
    `pre-filled db: after/before cpu per message ×${ratio(after.cpuPerMessage.total, before.cpuPerMessage.total)}, p50 ×${ratio(after.latency.p50, before.latency.p50)}, p99 ×${ratio(after.latency.p99, before.latency.p99)}`,
  );
}
