import { recoverStalled, type RecoveryDeps } from '../../src/jobs/recovery';
import { createLogger } from '../../src/logging/logger';
import type { MessageLogRepository } from '../../src/persistence/message-log.repository';

describe('recovery sweep', () => {
  it('goes on past an item that fails (a Redis blip) and still flushes replies', async () => {
    const queued: string[] = [];
    const flushed: string[] = [];
    const log = {
      stalledInbound: async () => [
        { id: 'a', conversationId: 'c1' },
        { id: 'b', conversationId: 'c2' },
      ],
      noteRecovery: async () => 1,
    } as unknown as MessageLogRepository;
    const deps: RecoveryDeps = {
      log,
      records: { stalledOutboxes: async () => [{ conversationId: 'c3', channel: 'console' }] },
      requeue: async (_conversationId, inboundId) => {
        if (inboundId === 'a') throw new Error('Redis connection reset');
        queued.push(inboundId);
        return 'requeued';
      },
      forget: async () => undefined,
      resend: async (conversationId) => void flushed.push(conversationId),
      logger: createLogger('silent'),
    };
    expect(await recoverStalled(deps, new Date())).toEqual({ inbound: 1, failed: 0, conversations: 1 });
    expect(queued).toEqual(['b']);
    expect(flushed).toEqual(['c3']);
  });
});
