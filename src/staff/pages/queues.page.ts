import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { Redis } from 'ioredis';
import { DEFAULT_LANGUAGE } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import type { PipelineQueues } from '../../runtime/pipeline';
import { sendError } from '../staff.errors';
import { requireAccess, type GuardDeps } from '../staff.guard';
import { pageText } from './console.i18n';

/** Where the board lives, inside the console's /staff prefix. */
export const QUEUES_PATH = '/staff/queues';

const ADMIN = { roles: ['admin'] as const };

/**
 * The console's policy with two exceptions. Inline styles: bull-board's page has `style=`
 * attributes and a `<style>` element (its loading indicator), and its Redis icon renders a
 * `<style>`, all of which the console's `style-src 'self'` blocks (their hashes would tie the
 * policy to one build of its UI). `base-uri 'self'`: its page sets `<base href="/staff/queues/">`
 * for its relative links. Nothing else the console forbids: its scripts are same-origin files and
 * its config a JSON data block, so no inline script and no eval; no third-party origins (its
 * Google Fonts stylesheet is refused on purpose; the UI falls back to system fonts); no framing.
 */
const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface QueuesBoardOptions {
  guard: GuardDeps;
  /** The queues to show (the pipeline's names and key prefix) and the Redis they live in. */
  queues: PipelineQueues & { redisUrl: string };
  /** For the board's title and its link back to the console. */
  translator: Translator;
}

/**
 * The job queues as bull-board shows them (issue 10: "@bull-board/fastify behind the admin role").
 *
 * Its own encapsulated scope, beside the console's page scope, because bull-board renders its own
 * page and its own JSON API:
 * - Guard: every route — page, static files, JSON API, and any other path under /staff/queues —
 *   passes the staff API's guard for admins in onRequest (origin → session → CSRF token → role),
 *   so a refusal is the API's JSON error (401 / 403), never the board.
 * - Read-only, twice: this scope answers 405 `read-only` to every state-changing request that
 *   passes the guard (bull-board's "pause all" skips read-only queues but still answers 200), and
 *   every queue is added with `readOnlyMode`, so the UI offers no retry, clean, pause or delete.
 *   Its UI could not send our CSRF token anyway.
 * - Observers: the queues are read through Queue objects of their own, on one Redis connection of
 *   their own, closed with the app. A Queue never works jobs or runs schedulers, and with
 *   `skipMetasUpdate` it writes nothing on start (a producer records its version in the queue's
 *   meta key).
 * - Words: the title and the link back to the console come from locales/ in the console's default
 *   language; bull-board's configuration is one per board, not per request, and its own UI speaks
 *   English (it has no Arabic or Urdu).
 */
export function queuesBoard(options: QueuesBoardOptions): FastifyPluginAsync {
  return async (app) => {
    const { redisUrl, prefix, names } = options.queues;
    // Bounded retries: a board request fails (500) while Redis is down instead of hanging.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    const queues = names.map((name) => new Queue(name, { connection, prefix, skipMetasUpdate: true }));
    app.addHook('onClose', async () => {
      // See FollowUpQueue.close: never close a queue whose start-up check is still running.
      await Promise.allSettled(queues.map(async (q) => q.waitUntilReady().catch(() => undefined).then(() => q.close())));
      await connection.quit().catch(() => undefined);
    });

    const text = pageText(options.translator, DEFAULT_LANGUAGE);
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
      serverAdapter,
      options: { uiConfig: { boardTitle: text.t('queues.title'), miscLinks: [{ text: text.t('queues.back'), url: '/staff/dashboard' }] } },
    });
    const admins = requireAccess(options.guard, ADMIN);
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async (_request, reply) => {
          reply
            .header('content-security-policy', BOARD_CSP)
            .header('x-content-type-options', 'nosniff')
            .header('x-frame-options', 'DENY')
            .header('referrer-policy', 'same-origin')
            .header('cache-control', 'no-store');
        });
        scope.addHook('onRequest', admins);
        scope.addHook('onRequest', async (request, reply) => (request.method === 'GET' || request.method === 'HEAD' ? undefined : sendError(reply, 'read-only')));
        // Unknown paths under the board answer 404 only behind the guard (the 404 handler of this scope runs its hooks).
        scope.setNotFoundHandler((_request, reply) => sendError(reply, 'not-found'));
        await scope.register(serverAdapter.registerPlugin());
      },
      { prefix: QUEUES_PATH },
    );
  };
}
