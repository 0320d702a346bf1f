import type { Redis } from 'ioredis';
import { RedisScript } from '../persistence/redis-script';

/**
 * Per-conversation sequencing in Redis, without head-of-line blocking.
 *
 * Each conversation has a mailbox (a list of stored inbound ids, in arrival order) and a turn
 * flag. Whoever sets the flag queues one job for the conversation; that job handles a few
 * messages from the head of the mailbox, then either clears the flag (mailbox empty) or queues
 * itself again at the back of the shared queue. So a conversation has at most one job at a time
 * (its messages run in order, across processes), and a flooding conversation gets one turn in
 * the round like everyone else instead of a shard of its own. The check-and-clear is one Lua
 * script, so a message pushed while the job finishes is never left without a job.
 *
 * Sending has the same shape: a send flag with a generation counter. The owner of the flag is the
 * only one sending the conversation's replies; anyone who adds a reply bumps the generation, and
 * the owner releases the flag only if the generation did not move while it was sending.
 *
 * Keys hold conversation ids (HMAC digests) and inbound ids (random UUIDs) only, never personal data.
 */

/** Admission limits, checked before a message is stored. */
export interface AdmissionLimits {
  /** Messages one conversation may have stored in a minute. */
  perSenderPerMinute: number;
  /** Messages a conversation may have waiting unprocessed. */
  backlogCap: number;
  /** Messages the whole bot takes in per second. */
  globalPerSecond: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = { perSenderPerMinute: 20, backlogCap: 20, globalPerSecond: 400 };

export type Admission = { type: 'ok' } | { type: 'refused'; reason: 'too_fast' | 'backlog' | 'overloaded'; retryAfterMs: number };

/**
 * A turn flag outlives a batch of turns (the running job refreshes it); a flag whose job was never
 * queued (a crash between push and schedule) or was lost expires, and the next message, or the
 * recovery sweep, queues the conversation again. A job waiting longer than this in a long queue
 * may get a twin: harmless, the conversation lock and the processed ids make it a no-op.
 */
const TURN_FLAG_MS = 60_000;
/** Mailboxes of conversations that went quiet are not kept for ever (the recovery sweep puts back what matters). */
const MAILBOX_TTL_S = 2 * 86_400;
/** A send flag outlives any one send call (platform calls time out well before). */
const SEND_FLAG_MS = 3 * 60_000;
const DAY_S = 86_400;

const ADMIT = new RedisScript(`
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
if g >= tonumber(ARGV[1]) then return {'overloaded', redis.call('PTTL', KEYS[1])} end
local s = tonumber(redis.call('GET', KEYS[2]) or '0')
if s >= tonumber(ARGV[2]) then return {'too_fast', redis.call('PTTL', KEYS[2])} end
if redis.call('LLEN', KEYS[3]) >= tonumber(ARGV[3]) then return {'backlog', 0} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], 1000) end
if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], 60000) end
return {'ok', 0}`);

const UNADMIT = new RedisScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`);

const PUSH = new RedisScript(`
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0`);

const REQUEUE = new RedisScript(`
local queued = redis.call('LPOS', KEYS[1], ARGV[1])
if not queued then redis.call('RPUSH', KEYS[1], ARGV[1]) end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 2 end
if queued then return 0 end
return 1`);

const PEEK = new RedisScript(`
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[2]) - 1)`);

const FINISH_TURNS = new RedisScript(`
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`);

const CLAIM_SEND = new RedisScript(`
local gen = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
if redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PX', ARGV[1]) then return gen end
return 0`);

const ADOPT_SEND = new RedisScript(`
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] or not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
return -1`);

const RELEASE_SEND = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return -1 end
local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
if gen == tonumber(ARGV[1]) or gen == 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return gen`);

const EXTEND_SEND = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`);

export class Mailbox {
  constructor(
    private readonly redis: Redis,
    /** Separates deployments and test runs sharing one Redis (QUEUE_PREFIX). */
    private readonly prefix: string,
    private readonly limits: AdmissionLimits = DEFAULT_ADMISSION,
  ) {}

  private key(kind: string, convId: string): string {
    return `${this.prefix}:${kind}:${convId}`;
  }

  private globalKey(): string {
    return `${this.prefix}:admit:${Math.floor(Date.now() / 1000)}`;
  }

  /**
   * One counter per conversation whose minute starts with its first message (ADMIT sets the
   * expiry when it creates it). Not a clock-minute key: a burst that crossed a minute boundary
   * got a fresh allowance half-way (40 in two seconds; a test caught 23 of 24 let through), and
   * giving a place back after the boundary decremented the wrong minute.
   */
  private senderKey(convId: string): string {
    return `${this.prefix}:sender-rate:${convId}`;
  }

  /**
   * Whether a new message of this conversation may be stored now. Admission reserves its place in
   * the limits in the same script that checks them, so concurrent messages (webhooks deliver in
   * parallel) cannot all slip under a limit; {@link unadmit} gives the place back.
   */
  async admit(convId: string): Promise<Admission> {
    const { perSenderPerMinute, backlogCap, globalPerSecond } = this.limits;
    const keys = [this.globalKey(), this.senderKey(convId), this.key('mb', convId)];
    const [verdict, ttl] = (await ADMIT.run(this.redis, 3, ...keys, globalPerSecond, perSenderPerMinute, backlogCap)) as [string, number];
    switch (verdict) {
      case 'ok':
        return { type: 'ok' };
      case 'overloaded':
      case 'too_fast':
        return { type: 'refused', reason: verdict, retryAfterMs: Math.max(ttl, 250) };
      default:
        // A full backlog drains at the speed of the engine: a few seconds.
        return { type: 'refused', reason: 'backlog', retryAfterMs: 5000 };
    }
  }

  /** Gives back an admission that stored nothing (a duplicate, or the store failed). */
  async unadmit(convId: string): Promise<void> {
    await UNADMIT.run(this.redis, 2, this.globalKey(), this.senderKey(convId));
  }

  /** Appends a stored message to its conversation's mailbox; true when the caller must queue the conversation's job. */
  async push(convId: string, inboundId: string): Promise<boolean> {
    return (await PUSH.run(this.redis, 2, this.key('mb', convId), this.key('turn', convId), inboundId, TURN_FLAG_MS, MAILBOX_TTL_S)) === 1;
  }

  /**
   * Recovery's way back in: `waiting` when the message is still in its mailbox behind a live job
   * (not stalled, only slow: nothing to do, and it does not count as a recovery); `requeued` when
   * it was put back or its conversation had no job; `schedule` when the caller must queue the job.
   */
  async requeue(convId: string, inboundId: string): Promise<'waiting' | 'requeued' | 'schedule'> {
    const r = (await REQUEUE.run(this.redis, 2, this.key('mb', convId), this.key('turn', convId), inboundId, TURN_FLAG_MS)) as number;
    return r === 0 ? 'waiting' : r === 2 ? 'schedule' : 'requeued';
  }

  /** True for one process a minute: the recovery sweep runs in one place at a time. */
  async claimSweep(everyMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:recovery-sweep`, '1', 'PX', Math.max(everyMs - 1000, 1000), 'NX')) === 'OK';
  }

  /** The next inbound ids of a conversation, oldest first, without removing them (a crash leaves them there). */
  async peek(convId: string, count: number): Promise<string[]> {
    // Refreshes the turn flag (the job is alive) and reads, in one request.
    return (await PEEK.run(this.redis, 2, this.key('turn', convId), this.key('mb', convId), TURN_FLAG_MS, count)) as string[];
  }

  /** Removes a handled message from the mailbox. */
  async done(convId: string, inboundId: string): Promise<void> {
    await this.redis.lrem(this.key('mb', convId), 1, inboundId);
  }

  /** After a batch: false when the mailbox is empty (the flag is cleared), true when the conversation must be queued again. */
  async finishTurns(convId: string): Promise<boolean> {
    return (await FINISH_TURNS.run(this.redis, 2, this.key('mb', convId), this.key('turn', convId), TURN_FLAG_MS)) === 1;
  }

  /** Clears a turn flag whose job failed for good, so the next message or the recovery sweep can queue the conversation again. */
  async dropTurnFlag(convId: string): Promise<void> {
    await this.redis.del(this.key('turn', convId));
  }

  /** Messages waiting in a conversation's mailbox. */
  backlog(convId: string): Promise<number> {
    return this.redis.llen(this.key('mb', convId));
  }

  /**
   * Announces new replies to send. Returns the generation when the caller now owns the send flag
   * under `token` (it must send, or hand the flag to a flush job); null when another owner is
   * sending and has been told (it sees the new generation before it lets go).
   */
  async claimSend(convId: string, token: string): Promise<number | null> {
    const gen = (await CLAIM_SEND.run(this.redis, 2, this.key('send', convId), this.key('sendgen', convId), SEND_FLAG_MS, DAY_S, token)) as number;
    return gen === 0 ? null : gen;
  }

  /** A flush job takes over the flag it was handed (or a lapsed one); null when someone else owns it now. */
  async adoptSend(convId: string, token: string): Promise<number | null> {
    const gen = (await ADOPT_SEND.run(this.redis, 2, this.key('send', convId), this.key('sendgen', convId), token, SEND_FLAG_MS)) as number;
    return gen < 0 ? null : gen;
  }

  /**
   * The owner lets go of the send flag if nothing was added since `gen`: 'released'. Otherwise the
   * new generation to send again, or 'lost' when the flag is no longer this owner's.
   */
  async releaseSend(convId: string, gen: number, token: string): Promise<'released' | 'lost' | number> {
    const r = (await RELEASE_SEND.run(this.redis, 2, this.key('send', convId), this.key('sendgen', convId), gen, token, SEND_FLAG_MS)) as number;
    return r === 0 ? 'released' : r < 0 ? 'lost' : r;
  }

  /** Keeps the flag for a flush job that will run after `delayMs`. */
  async extendSend(convId: string, token: string, delayMs: number): Promise<void> {
    await EXTEND_SEND.run(this.redis, 1, this.key('send', convId), token, delayMs + SEND_FLAG_MS);
  }

  /** True once per minute per conversation: whether to tell a flooding sender to slow down. */
  async shouldNotifySlowDown(convId: string): Promise<boolean> {
    return (await this.redis.set(this.key('slow', convId), '1', 'PX', 60_000, 'NX')) === 'OK';
  }
}
