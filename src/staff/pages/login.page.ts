import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StaffAuth } from '../staff.auth';
import { ANY_STAFF, clearedSessionCookie, PUBLIC, sessionCookie, sessionIdOf, staffOf } from '../staff.guard';
import type { FormBody } from './console.plugin';
import { renderBarePage } from './console.layout';
import { html } from './html';
import type { PageKit } from './page.kit';

export interface LoginPageDeps {
  kit: PageKit;
  /** The same log-in as POST /staff/api/login: lock-out, audit and session rules are one. */
  auth: StaffAuth;
  cookieMaxAgeSeconds: number;
}

type LoginProblem = 'invalid' | 'locked' | null;

const STATUS: Record<Exclude<LoginProblem, null>, number> = { invalid: 401, locked: 429 };

/** GET/POST /staff/login and POST /staff/logout. */
export async function loginPages(app: FastifyInstance, deps: LoginPageDeps): Promise<void> {
  const { kit } = deps;
  const show = (request: FastifyRequest, reply: FastifyReply, problem: LoginProblem, email = '', next: string | null = null): FastifyReply => {
    const frame = kit.frame(request);
    const { t } = frame.text;
    const body = html`${problem ? html`<p class="notice error" role="alert">${t(`login.${problem}`)}</p>` : ''}
<form method="post" action="/staff/login" class="stack">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="email">${t('login.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" dir="ltr" required maxlength="254" value="${email}">
<label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" dir="ltr" required maxlength="200">
<label for="totp">${t('login.totp')}</label>
<input id="totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" dir="ltr" maxlength="20" aria-describedby="totp-hint">
<p id="totp-hint" class="hint">${t('login.totp_hint')}</p>
<button type="submit">${t('login.submit')}</button>
</form>`;
    return kit.send(reply, renderBarePage(frame, { title: t('login.title'), body }), problem ? STATUS[problem] : 200);
  };

  app.get<{ Querystring: { next?: string } }>('/login', { config: { access: PUBLIC } }, async (request, reply) => show(request, reply, null, '', safeNext(request.query.next)));

  app.post<{ Body: FormBody }>('/login', { config: { access: PUBLIC } }, async (request, reply) => {
    const email = typeof request.body?.email === 'string' ? request.body.email : '';
    const password = typeof request.body?.password === 'string' ? request.body.password : '';
    const totp = typeof request.body?.totp === 'string' ? request.body.totp : '';
    const next = safeNext(request.body?.next);
    if (email === '' || password === '' || email.length > 254 || password.length > 200 || totp.length > 20) return show(request, reply, 'invalid', email.slice(0, 254), next);
    const result = await deps.auth.login(email, password, request.ip, sessionIdOf(request), totp);
    if (!result.ok) {
      reply.header('set-cookie', clearedSessionCookie());
      return show(request, reply, result.reason === 'locked' ? 'locked' : 'invalid', email, next);
    }
    reply.header('set-cookie', sessionCookie(result.sessionId, deps.cookieMaxAgeSeconds));
    return kit.redirect(reply, next ?? '/staff/dashboard');
  });

  app.post('/logout', { config: { access: ANY_STAFF } }, async (request, reply) => {
    await deps.auth.logout(staffOf(request), request.ip);
    return kit.redirect(reply.header('set-cookie', clearedSessionCookie()), '/staff/login');
  });
}

/**
 * Where log-in may send someone afterwards: a console page on this site, nothing else. An absolute
 * URL, `//host`, a backslash, the log-in page itself or anything long or unusual is refused, so
 * `next` can never become an open redirect.
 */
export function safeNext(path: unknown): string | null {
  if (typeof path !== 'string' || path.length > 300) return null;
  if (!/^\/staff\/[A-Za-z0-9\-._~\/?=&%]*$/.test(path)) return null;
  // Encoded dots, slashes and backslashes are refused outright: `/staff/.%2e/` resolves to `/` in a browser (second review).
  if (/%(2e|2f|5c)/i.test(path)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  // (No backslash can be left here: the pattern above admits none, and %5c is refused.)
  const where = (decoded.split('?')[0] ?? '').toLowerCase();
  if (where.includes('//') || where.includes('..')) return null;
  return /^\/staff\/(login|logout|api)(?:[/?]|$)/.test(where) ? null : path;
}
