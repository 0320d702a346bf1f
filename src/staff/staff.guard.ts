import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { readCookie } from '../channels/web/web.session';
import { FieldCipher } from '../security/field-cipher';
import { holdsAnyRole, STAFF_ROLES, type StaffRole } from './roles';
import type { Authenticated, StaffAuth } from './staff.auth';
import { sendError } from './staff.errors';

/**
 * Access control for every staff API route, run in `onRequest` — before the body is parsed or
 * validated, so a caller without a session learns nothing but 401 about any route.
 * Order: origin (state-changing requests) → session → CSRF token (state-changing) → role.
 */

/** `__Host-`: the browser takes it only with Secure and Path=/ and without Domain, so no subdomain can set or shadow it. */
export const STAFF_COOKIE = '__Host-basirah_staff';
export const CSRF_HEADER = 'x-csrf-token';

/** Who may call a route: nobody signed in (log-in only), or staff holding one of the roles. */
export type RouteAccess = { public: true } | { roles: readonly StaffRole[] };

export const PUBLIC: RouteAccess = { public: true };
/** Any signed-in staff member. */
export const ANY_STAFF: RouteAccess = { roles: STAFF_ROLES };

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call a staff route (API or console page); the staff plugins refuse a route without it.
     * Declared here because @fastify/swagger adds keys of its own to this interface, after which
     * fastify's types no longer accept a config object that has none of the declared keys.
     */
    access?: RouteAccess;
  }
}

/** The route's access rule, declared in its `config.access`. */
export function accessOf(config: unknown): RouteAccess | undefined {
  return (config as { access?: RouteAccess } | undefined)?.access;
}

const authenticated = new WeakMap<FastifyRequest, Authenticated>();

/** The signed-in staff member of a request that passed a role guard. */
export function staffOf(request: FastifyRequest): Authenticated {
  const auth = authenticated.get(request);
  if (!auth) throw new Error('staffOf() on a route without a role guard');
  return auth;
}

/**
 * The session cookie: HttpOnly, SameSite=Strict, Path=/, always Secure (a `__Host-` cookie without
 * Secure is dropped by browsers; they treat http://localhost as secure, so development works).
 */
export function sessionCookie(sessionId: string, maxAgeSeconds: number): string {
  return `${STAFF_COOKIE}=${sessionId}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearedSessionCookie(): string {
  return `${STAFF_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}

export function sessionIdOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, STAFF_COOKIE);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardDeps {
  auth: StaffAuth;
  /** PUBLIC_BASE_URL's origin when set (behind a TLS proxy the request itself looks like http). */
  publicOrigin: string | undefined;
}

/** The guard's deps for a deployment: its origin is PUBLIC_BASE_URL's when that is set. */
export function guardDepsOf(auth: StaffAuth, publicBaseUrl: string | undefined): GuardDeps {
  return { auth, publicOrigin: publicBaseUrl ? new URL(publicBaseUrl).origin : undefined };
}

/** Why the guard refused a request. */
export type AccessRefusal = 'cross-origin' | 'not-authenticated' | 'csrf-failed' | 'forbidden-role';

export type AccessVerdict = { ok: true; auth: Authenticated | null } | { ok: false; refusal: AccessRefusal };

/**
 * The guard's decision, without an answer: the API answers JSON, the console's pages HTML.
 * `csrf: 'deferred'` skips the token here for a caller that checks it once a form body is parsed
 * (a form field cannot be read in onRequest); the caller must then call {@link csrfTokenMatches}.
 */
export async function decideAccess(deps: GuardDeps, access: RouteAccess, request: FastifyRequest, csrf: 'header' | 'deferred' = 'header'): Promise<AccessVerdict> {
  const changesState = !SAFE_METHODS.has(request.method);
  if (changesState && !sameOrigin(request, deps.publicOrigin)) return { ok: false, refusal: 'cross-origin' };
  if ('public' in access) return { ok: true, auth: null };
  const auth = await deps.auth.authenticate(sessionIdOf(request));
  if (!auth) return { ok: false, refusal: 'not-authenticated' };
  if (changesState && csrf === 'header' && !csrfTokenMatches(request.headers[CSRF_HEADER], auth)) return { ok: false, refusal: 'csrf-failed' };
  if (!holdsAnyRole(auth.account.roles, access.roles)) return { ok: false, refusal: 'forbidden-role' };
  authenticated.set(request, auth);
  return { ok: true, auth };
}

/** The onRequest hook enforcing `access`; `requireRole(...)` in the words. */
export function requireAccess(deps: GuardDeps, access: RouteAccess): onRequestHookHandler {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const verdict = await decideAccess(deps, access, request);
    if (verdict.ok) return undefined;
    if (verdict.refusal === 'not-authenticated') reply.header('set-cookie', clearedSessionCookie());
    return sendError(reply, verdict.refusal);
  };
}

/** Shorthand for routes open to some roles. */
export function requireRole(deps: GuardDeps, ...roles: StaffRole[]): onRequestHookHandler {
  return requireAccess(deps, { roles });
}

/**
 * A state-changing request must not come from another site: an Origin header, when present, must
 * be this server's own origin, and Fetch Metadata, when present, must not say cross-site or same-site.
 */
function sameOrigin(request: FastifyRequest, publicOrigin: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const own = publicOrigin ?? `${request.protocol}://${request.host}`;
  return origin === own;
}

/** Whether `given` is the session's CSRF token (constant-time). */
export function csrfTokenMatches(given: unknown, auth: Authenticated): boolean {
  return typeof given === 'string' && FieldCipher.safeEqual(given, auth.session.csrfToken);
}
