import type { FastifyInstance } from 'fastify';
import type { StaffAccount } from './staff.repository';
import type { StaffAuth } from './staff.auth';
import { sendError } from './staff.errors';
import { ANY_STAFF, clearedSessionCookie, PUBLIC, sessionCookie, sessionIdOf, staffOf } from './staff.guard';
import { loginSchema, logoutSchema, meSchema } from './staff.schemas';

export interface AuthRouteDeps {
  auth: StaffAuth;
  /** The cookie's Max-Age: the session's absolute lifetime. */
  cookieMaxAgeSeconds: number;
}

/** What the console may show of the signed-in person. */
export function staffSummary(account: StaffAccount): { id: string; name: string; roles: string[] } {
  return { id: account.id, name: account.name, roles: account.roles };
}

/** POST /api/login, POST /api/logout, GET /api/me (relative to the /staff prefix). */
export async function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  app.post<{ Body: { email: string; password: string; totp?: string } }>('/api/login', { schema: loginSchema, config: { access: PUBLIC } }, async (request, reply) => {
    const { email, password, totp } = request.body;
    const result = await deps.auth.login(email, password, request.ip, sessionIdOf(request), totp);
    if (!result.ok) {
      reply.header('set-cookie', clearedSessionCookie());
      return sendError(reply, result.reason === 'locked' ? 'login-locked' : 'invalid-credentials');
    }
    reply.header('set-cookie', sessionCookie(result.sessionId, deps.cookieMaxAgeSeconds));
    return { csrfToken: result.session.csrfToken, staff: staffSummary(result.account) };
  });

  app.post('/api/logout', { schema: logoutSchema, config: { access: ANY_STAFF } }, async (request, reply) => {
    await deps.auth.logout(staffOf(request), request.ip);
    return reply.header('set-cookie', clearedSessionCookie()).code(204).send();
  });

  app.get('/api/me', { schema: meSchema, config: { access: ANY_STAFF } }, async (request) => {
    const { session, account } = staffOf(request);
    return { csrfToken: session.csrfToken, staff: staffSummary(account) };
  });
}
