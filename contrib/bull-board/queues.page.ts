import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { GuardDeps } from '../staff.guard';
import { decideAccess } from '../staff.guard';

/** Where the board lives, inside the console's /staff prefix. */
export const QUEUES_PATH = '/staff/queues';

const ADMIN = { roles: ['admin'] as const };

/**
 * The job queues as bull-board shows them (issue 10: "@bull-board/fastify behind the admin role").
 *
 * Its own encapsulated scope, outside the console's page scope, because bull-board renders its own
 * page and its own JSON API:
 * - Guard: every route, pages and API alike, passes the staff guard for admins (origin check →
 *   session → role) in onRequest. A refusal answers 403 / 401 as JSON rather than a console page.
 * - Read-only: every queue is added with `readOnlyMode`, so the board sends no state-changing
 *   request. Its UI cannot send our CSRF token (x-csrf-token), so a writable board would need the
 *   token check waived for its routes; read-only needs no waiver and cannot retry, clean or delete.
 * - CSP: bull-board's page has inline `style=` attributes and a `<style>` element (its loading
 *   indicator), which the console's `style-src 'self'` blocks; its scripts are same-origin files
 *   (`script-src 'self'` is enough) and its config is a JSON data block, not a script. So this scope
 *   allows inline styles only, and nothing else the console forbids: no inline script, no eval,
 *   no third-party origins (its Google Fonts stylesheet is blocked on purpose; the UI falls back to
 *   system fonts), no framing.
 * - Queues are observed through their own Queue objects (an observer, separate from the producers
 *   and workers), built by the caller from the queue names and the QUEUE_PREFIX.
 */
export async function queuesBoard(app: FastifyInstance, deps: { guard: GuardDeps; queues: readonly Queue[] }): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Basirah' } },
  });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        reply
          .header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; frame-ancestors 'none'")
          .header('x-content-type-options', 'nosniff')
          .header('x-frame-options', 'DENY')
          .header('referrer-policy', 'same-origin')
          .header('cache-control', 'no-store');
        // The default CSRF mode: a state-changing request without the session's token is refused (read-only needs none).
        const verdict = await decideAccess(deps.guard, ADMIN, request);
        if (!verdict.ok) return reply.code(verdict.refusal === 'not-authenticated' ? 401 : 403).send({ error: verdict.refusal });
        return undefined;
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUES_PATH },
  );
}
