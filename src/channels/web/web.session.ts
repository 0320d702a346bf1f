import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Anonymous web-chat sessions. The session id is 128 random bits; the cookie carries it with an
 * HMAC-SHA256 so a visitor cannot pick somebody else's id. Nothing is stored server-side: the id
 * is the conversation's sender, and the conversation itself lives in the pipeline's stores.
 */

export const SESSION_COOKIE = 'basirah_sid';
/** Reloading the page within 90 days keeps the conversation; each visit extends it. */
export const SESSION_MAX_AGE_SECONDS = 90 * 24 * 3600;

const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ResolvedSession {
  id: string;
  /** True when the request carried no valid cookie and a new session was made. */
  fresh: boolean;
}

export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('The web chat session secret must have at least 32 characters.');
    this.key = Buffer.from(secret, 'utf8');
  }

  newId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** The cookie value: `<id>.<mac>`. */
  sign(id: string): string {
    return `${id}.${this.mac(id)}`;
  }

  /** The session id when the value is well formed and its MAC matches (compared in constant time); null otherwise. */
  verify(value: string | undefined): string | null {
    if (value === undefined) return null;
    const [id, mac, ...rest] = value.split('.');
    if (id === undefined || mac === undefined || rest.length > 0 || !ID_PATTERN.test(id) || !MAC_PATTERN.test(mac)) return null;
    // Compare the encoded strings, not decoded bytes: the 43rd base64url character carries only
    // 4 bits, so several spellings decode to the same MAC; only the canonical one is accepted.
    const expected = Buffer.from(this.mac(id), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  /** The session a request belongs to, or a new one when its cookie is missing or forged. */
  resolve(cookieHeader: string | undefined): ResolvedSession {
    const id = this.verify(readCookie(cookieHeader, SESSION_COOKIE));
    return id === null ? { id: this.newId(), fresh: true } : { id, fresh: false };
  }

  private mac(id: string): string {
    // A purpose label keeps this MAC from being reusable for anything else keyed with the same secret.
    return createHmac('sha256', this.key).update(`basirah-web-session\u0000${id}`).digest('base64url');
  }
}

/** The value of one cookie in a `Cookie` header (the first, if repeated). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` header for a session: HttpOnly, SameSite=Lax, Secure behind HTTPS. */
export function sessionCookie(value: string, secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${SESSION_MAX_AGE_SECONDS}`, 'HttpOnly', 'SameSite=Lax'];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}
