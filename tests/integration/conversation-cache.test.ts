import { ConcurrencyError } from '../../src/engine/ports';
import { initialState } from '../../src/engine/state';
import { ConversationRecords, type ConversationRecord, type TurnCommit } from '../../src/persistence/conversation-records';
import { createModels } from '../../src/persistence/models';
import { RedisConversationLock } from '../../src/persistence/redis-coordination';
import { makeInbound } from '../support/fixtures';
import { connectTestServices } from '../support/services';

type Services = Awaited<ReturnType<typeof connectTestServices>>;

/**
 * The conversation cache (ConversationRecords) against the real servers: two "processes" (each
 * its own connections, lock client and cache) write one conversation in turn. The cache may skip
 * a read only while the lock's stamp says nobody wrote since; these tests check that no process
 * ever decides on a version another one has replaced.
 */
describe('conversation cache with stamped locks (real MongoDB-compatible server and Redis)', () => {
  let a: Services;
  let b: Services;
  let recordsA: ConversationRecords;
  let recordsB: ConversationRecords;
  const ref = makeInbound({ sender: `cache-${Date.now()}`, text: 'x' });

  const records = async (services: Services, leaseMs = 60_000): Promise<ConversationRecords> =>
    new ConversationRecords(await createModels(services.mongo), services.cipher, new RedisConversationLock(services.redis, (k) => services.cipher.digest('redis-key', k), leaseMs, 5_000, 10));

  const turn = (n: number): TurnCommit => ({
    state: { ...initialState('ar', 'detected'), misunderstandings: n },
    replies: [],
    causeId: `cause-${n}`,
    kind: 'reply',
    lastInboundAt: null,
    processed: { id: `in-${n}`, storedAt: new Date() },
  });

  /** One turn as the pipeline runs it: under the lock, read, then write. Returns the revision it read. */
  const write = (r: ConversationRecords, n: number): Promise<number> =>
    r.exclusive(r.idOf(ref), async () => {
      const doc = await r.load(r.idOf(ref));
      await r.commitTurn(ref, doc, turn(n), new Date());
      return doc?.rev ?? 0;
    });

  const read = (r: ConversationRecords): Promise<ConversationRecord | null> => r.exclusive(r.idOf(ref), () => r.load(r.idOf(ref)));
  const read2 = (r: ConversationRecords, id: string): Promise<ConversationRecord | null> => r.exclusive(id, () => r.load(id));

  /** Changes the stored document behind every cache's back (no lock, no stamp change): only a reader that skips the database misses it. */
  const changeBehindTheCache = async (marker: string): Promise<void> => {
    await a.mongo.collection('conversations').updateOne({ _id: recordsA.idOf(ref) as never }, { $set: { modeType: marker } });
  };

  beforeAll(async () => {
    a = await connectTestServices('conv_cache');
    b = await connectTestServices('conv_cache', { dbName: a.dbName, keys: a.keys });
    recordsA = await records(a);
    recordsB = await records(b);
  });

  afterAll(async () => {
    await a.drop();
    await Promise.all([a.close(), b.close()]);
  });

  it('reuses its own last write while nobody else wrote, and reads again once someone did', async () => {
    expect(await write(recordsA, 1)).toBe(0);
    await changeBehindTheCache('behind');
    // A wrote last and the stamp is the one A left: A's copy is used (it does not see the change made behind its back).
    expect((await read(recordsA))?.modeType).not.toBe('behind');
    expect((await read(recordsA))?.rev).toBe(1);

    // B has never seen the conversation: it reads the database.
    expect((await read(recordsB))?.modeType).toBe('behind');
    expect(await write(recordsB, 2)).toBe(1);
    // B wrote: A's copy (revision 1) is stale and must not be used.
    const seenByA = await read(recordsA);
    expect(seenByA?.rev).toBe(2);
    expect(seenByA?.processed).toEqual(['in-1', 'in-2']);
    expect(await write(recordsA, 3)).toBe(2);
    expect((await read(recordsB))?.rev).toBe(3);
  });

  it('keeps every write when two processes take turns many times (each reads the other one\'s last write)', async () => {
    const start = (await read(recordsA))?.rev ?? 0;
    const seen: number[] = [];
    for (let i = 0; i < 12; i += 1) seen.push(await write(i % 3 === 0 ? recordsB : recordsA, 100 + i));
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => start + i));
    const stored = await read(recordsB);
    expect(stored?.rev).toBe(start + 12);
    expect(stored?.processed?.slice(-12)).toEqual(Array.from({ length: 12 }, (_, i) => `in-${100 + i}`));
  });

  it('reads the database again after a write that failed (it may or may not have landed)', async () => {
    await write(recordsA, 200);
    const id = recordsA.idOf(ref);
    await expect(
      recordsA.exclusive(id, async () => {
        const doc = await recordsA.load(id);
        if (!doc) throw new Error('no document');
        // Another writer moved the revision on (as if the lock had lapsed): the compare-and-set fails.
        await a.mongo.collection('conversations').updateOne({ _id: id as never }, { $inc: { rev: 1 }, $set: { modeType: 'moved' } });
        await recordsA.commitTurn(ref, doc, turn(201), new Date());
      }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    const after = await read(recordsA);
    expect(after?.modeType).toBe('moved');
  });

  it('a holder that wrote but never let go (its lease lapsed, as in a crash) leaves no stamp, so others read the database', async () => {
    const short = await records(a, 300);
    await write(short, 300);
    // B now holds a copy under the stamp the short-lease holder left.
    expect((await read(recordsB))?.processed?.at(-1)).toBe('in-300');
    const id = short.idOf(ref);
    await short.exclusive(id, async () => {
      const doc = await short.load(id);
      await short.commitTurn(ref, doc, turn(301), new Date());
      // Outlives its lease: the lock is gone when it lets go, so it cannot leave the stamp of its write.
      await new Promise((resolve) => setTimeout(resolve, 700));
    });
    // Had the old stamp stayed in Redis, B would trust its copy and miss this write.
    expect((await read(recordsB))?.processed?.at(-1)).toBe('in-301');
  });

  it('a holder that only read leaves no stamp of its own, so a lapsed holder writing afterwards is not hidden (outside review)', async () => {
    const lapsing = makeInbound({ sender: `lapse-${Date.now()}`, text: 'x' });
    const slow = await records(a, 300);
    const id = slow.idOf(lapsing);
    await recordsB.exclusive(id, async () => recordsB.commitTurn(lapsing, await recordsB.load(id), turn(1), new Date()));
    const sectionA = slow.exclusive(id, async () => {
      const doc = await slow.load(id);
      // A slow decision: the lease lapses before the write.
      await new Promise((resolve) => setTimeout(resolve, 700));
      await slow.commitTurn(lapsing, doc, turn(2), new Date());
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // B takes the lock meanwhile and only reads (a drain with nothing to send).
    expect((await recordsB.exclusive(id, () => recordsB.load(id)))?.rev).toBe(1);
    await sectionA;
    expect((await recordsB.exclusive(id, () => recordsB.load(id)))?.rev).toBe(2);
  });

  it('a read made without the lock while this process holds it neither uses nor fills the cache (outside review)', async () => {
    const chat = makeInbound({ sender: `unlocked-${Date.now()}`, text: 'x' });
    const id = recordsA.idOf(chat);
    await recordsB.exclusive(id, async () => recordsB.commitTurn(chat, await recordsB.load(id), turn(1), new Date()));
    await recordsB.exclusive(id, async () => recordsB.commitTurn(chat, await recordsB.load(id), turn(2), new Date()));
    const collection = (recordsA as unknown as { collection: { findOne: (...args: unknown[]) => Promise<unknown> } }).collection;
    const realFindOne = collection.findOne.bind(collection);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inSection = new Promise<void>((resolve) => (entered = resolve));
    let go!: () => void;
    const unlockedStarted = new Promise<void>((resolve) => (go = resolve));
    const section = recordsA.exclusive(id, async () => {
      entered();
      await unlockedStarted;
      collection.findOne = realFindOne;
      const doc = await recordsA.load(id);
      await recordsA.commitTurn(chat, doc, turn(3), new Date());
      release();
    });
    await inSection;
    // A flush job or a staff page of this process reads the conversation without the lock; its answer (revision 2) comes late.
    collection.findOne = async (...args: unknown[]) => {
      const result = await realFindOne(...args);
      go(); // the database has answered (revision 2); the section now reads and writes
      await gate;
      return result;
    };
    const unlocked = recordsA.load(id);
    await section;
    expect(((await unlocked) as ConversationRecord | null)?.rev).toBe(2);
    expect((await read2(recordsA, id))?.rev).toBe(3);
  });

  it('a write without the lock (a tool, a test) removes the stamp, so no process trusts its copy', async () => {
    await write(recordsA, 400);
    const id = recordsA.idOf(ref);
    const doc = await b.mongo.collection<ConversationRecord>('conversations').findOne({ _id: id });
    if (!doc) throw new Error('no document');
    await recordsB.commitTurn(ref, doc, turn(401), new Date());
    expect((await read(recordsA))?.processed?.at(-1)).toBe('in-401');
  });
});
