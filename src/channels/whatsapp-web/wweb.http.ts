import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { bearerMatches } from '../../security/bearer';
import type { WwebPhase } from './wweb.connection';
import { qrToPng } from './wweb.qr';

/**
 * Staff-only routes to link the association's WhatsApp number: the current QR code as JSON and
 * as a PNG. The QR logs a new device into the account, so both need `Authorization: Bearer
 * <STAFF_API_TOKEN>` and are never cached.
 */

export const QR_ROUTE = '/staff/whatsapp/qr';
export const QR_PNG_ROUTE = '/staff/whatsapp/qr.png';

export { bearerMatches };

export interface QrRouteDeps {
  staffApiToken: string | undefined;
  qr: () => { state: WwebPhase; qr: string | null };
}

export function qrRoutes(deps: QrRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(QR_ROUTE, async (request, reply) => {
      const denied = denial(deps, request);
      if (denied) return reply.code(denied.code).headers(denied.headers).send(denied.body);
      return reply.header('cache-control', 'no-store').send(deps.qr());
    });
    app.get(QR_PNG_ROUTE, async (request, reply) => {
      const denied = denial(deps, request);
      if (denied) return reply.code(denied.code).headers(denied.headers).send(denied.body);
      const { state, qr } = deps.qr();
      if (qr === null) return reply.code(404).header('cache-control', 'no-store').send({ error: 'no-qr', state });
      return reply.header('cache-control', 'no-store').type('image/png').send(await qrToPng(qr));
    });
  };
}

interface Denial {
  code: 401 | 503;
  headers: Record<string, string>;
  body: { error: string; message?: string };
}

/** Why the caller may not see the QR code, or null when they may. */
function denial(deps: QrRouteDeps, request: FastifyRequest): Denial | null {
  if (deps.staffApiToken === undefined) {
    return { code: 503, headers: {}, body: { error: 'staff-token-unset', message: 'set STAFF_API_TOKEN to use this route' } };
  }
  if (!bearerMatches(request.headers.authorization, deps.staffApiToken)) {
    return { code: 401, headers: { 'www-authenticate': 'Bearer' }, body: { error: 'unauthorized' } };
  }
  return null;
}
