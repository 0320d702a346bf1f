import { createFollowUpModels } from '../../src/persistence/followup.models';
import { createMessageLogModels } from '../../src/persistence/message-log.models';
import { ScheduledRepository } from '../../src/persistence/scheduled.repository';
import { MessageLogRepository } from '../../src/persistence/message-log.repository';
import { makeInbound } from '../support/fixtures';
import { startTestEngine, type TestEngine } from '../support/engine-setup';

/** Retention (RETENTION_DAYS): old message texts go; what is still pending, requests and survey results stay. */

let env: TestEngine;
let log: MessageLogRepository;
const DAY = 86_400_000;
const now = new Date('2026-11-22T09:00:00Z');

beforeAll(async () => {
  env = await startTestEngine('retention');
  log = new MessageLogRepository(await createMessageLogModels(env.services.mongo), env.services.cipher);
});
afterAll(async () => env.teardown());

it('deletes answered messages and closed handoffs’ texts older than the cutoff, and keeps the rest', async () => {
  const old = new Date(now.getTime() - 200 * DAY);
  const recent = new Date(now.getTime() - 10 * DAY);
  const oldDone = await log.recordInbound(makeInbound({ text: 'رسالة قديمة', sender: 'r-1' }), old);
  const oldPending = await log.recordInbound(makeInbound({ text: 'قديمة ولم يُرد عليها', sender: 'r-2' }), old);
  const fresh = await log.recordInbound(makeInbound({ text: 'رسالة حديثة', sender: 'r-3' }), recent);
  await log.markInboundsDone([oldDone.id, fresh.id]);
  const ref = { channel: 'console' as const, account: 'test', sender: 'r-1' };
  const closedOld = await env.core.handoffs.open({ conversation: ref, reason: 'requested', language: 'ar', firstMessage: 'أبغى موظف', now: old });
  await env.core.handoffs.close(closedOld, 'staff', old);
  const openOld = await env.core.handoffs.open({ conversation: ref, reason: 'requested', language: 'ar', firstMessage: 'ما زلت أنتظر', now: old });

  const cutoff = new Date(now.getTime() - 180 * DAY);
  const purged = await log.purgeOlderThan(cutoff);
  expect(purged.inbound).toBe(1);
  const left = await env.services.mongo.collection('inbound_messages').find({}, { projection: { _id: 1 } }).toArray();
  expect(left.map((d) => String(d._id)).sort()).toEqual([oldPending.id, fresh.id].sort());

  expect(await env.core.handoffs.purgeClosedBefore(cutoff)).toBe(1);
  const handoffs = env.services.mongo.collection<{ _id: string; messages: unknown[] }>('handoffs');
  expect((await handoffs.findOne({ _id: closedOld }))?.messages).toEqual([]);
  expect((await handoffs.findOne({ _id: openOld }))?.messages).toHaveLength(1);

  // Finished scheduled messages (and their claims) go too; one still scheduled stays, however old.
  const scheduled = new ScheduledRepository(await createFollowUpModels(env.services.mongo));
  const plan = (id: string) => scheduled.plan({ id, kind: 'status', caseId: 'BSR-2026-00001', conversationId: 'c', channel: 'telegram', dueAt: old, detail: {} }, old);
  await plan('status-sent');
  await plan('status-waiting');
  await scheduled.claim('status-sent', old);
  await scheduled.finish('status-sent', 'sent', null, old);
  expect(await scheduled.purgeFinishedBefore(cutoff)).toBe(1);
  expect(await scheduled.get('status-sent')).toBeNull();
  expect(await scheduled.get('status-waiting')).not.toBeNull();
  expect(await scheduled.claim('status-sent', now)).toBe(true);
});
