import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import COMMON_PASSWORDS from './common-passwords.json';

/**
 * Staff passwords: scrypt (memory-hard), a random 16-byte salt, and an encoded string that carries
 * its own parameters (`$scrypt$ln=17,r=8,p=1$<salt>$<key>`, base64 without padding), so the cost
 * can be raised later: old hashes still verify, and {@link PasswordHasher.needsRehash} says when to
 * store a new one at the next login.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** N = 2^17, r = 8: 128 MiB and about 0.4 s per hash on one core of the reference machine. */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 17, r: 8, p: 1 };

const SALT_BYTES = 16;
/**
 * Derivations running at once: each holds 128 MiB and one of libuv's four threads (shared with
 * file and DNS work), so a burst of log-ins must queue instead of exhausting memory and threads.
 */
const MAX_RUNNING = 2;
/** Beyond this many waiting, a derivation is refused at once ({@link HasherBusyError}). */
const MAX_WAITING = 64;
const KEY_BYTES = 32;
const ENCODED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

/** Too many password checks are queued already: a signal to answer 503, not a fault. */
export class HasherBusyError extends Error {
  readonly code = 'HASHER_BUSY';
}

/** Hashes and verifies passwords with one set of scrypt parameters (tests may lower the cost). */
export class PasswordHasher {
  private dummy: Promise<string> | null = null;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly params: ScryptParams = DEFAULT_SCRYPT) {
    if (params.ln < 10 || params.ln > 22 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) {
      throw new RangeError('scrypt parameters out of range');
    }
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.limited(() => derive(password, salt, this.params));
    const { ln, r, p } = this.params;
    return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
  }

  /** True when `password` matches `encoded` (compared in constant time); false for a malformed hash. */
  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = parseEncoded(encoded);
    if (!parsed) return false;
    const key = await this.limited(() => derive(password, parsed.salt, parsed.params));
    return timingSafeEqual(key, parsed.key);
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_RUNNING) {
      if (this.waiting.length >= MAX_WAITING) throw new HasherBusyError('too many password checks queued');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  /**
   * Spends the same time as a real verification and answers false: used when the account does not
   * exist (or is disabled), so response times do not tell which e-mail addresses have accounts.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(18).toString('base64'));
    await this.verify(password, await this.dummy);
    return false;
  }

  /** Whether a stored hash was made with weaker parameters than this hasher's. */
  needsRehash(encoded: string): boolean {
    const parsed = parseEncoded(encoded);
    if (!parsed) return true;
    const { ln, r, p } = parsed.params;
    return ln < this.params.ln || r < this.params.r || p < this.params.p;
  }
}

function derive(password: string, salt: Buffer, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  // scrypt needs about 128·N·r bytes; Node refuses anything above maxmem (32 MiB by default).
  const maxmem = 128 * N * r + 32 * 1024 * 1024;
  // NFC: the same Arabic or accented password typed on two keyboards must give the same key.
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function parseEncoded(encoded: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const m = ENCODED.exec(encoded);
  if (!m) return null;
  const [, ln, r, p, salt, key] = m as unknown as [string, string, string, string, string, string];
  return { params: { ln: Number(ln), r: Number(r), p: Number(p) }, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** Why a new password is refused; stable codes the console translates. */
export type PasswordProblem = 'too-short' | 'too-long' | 'common' | 'contains-email' | 'repetitive';

const COMMON = new Set<string>(COMMON_PASSWORDS as string[]);

/**
 * The policy for a new password: 12 to 200 characters, not a common password (compared
 * case-insensitively, also after stripping digits and symbols around it, so "Basirah2026!" is
 * common), not containing the local part of the account's e-mail, and not a few characters
 * repeated. Returns every problem found; an empty list means the password is accepted.
 */
export function checkPasswordPolicy(password: string, email: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  // Length and variety count what is seen: combining marks, invisible characters and padding add
  // nothing ("password" with six accents, 12 spaces then "abcde"); compatibility forms fold (NFKC).
  const visible = password.normalize('NFKC').replace(/[\p{M}\p{Cf}]/gu, '');
  const chars = [...visible];
  // Spaces between words count (a passphrase), runs of them and padding around do not.
  if ([...visible.replace(/\s+/g, ' ').trim()].length < PASSWORD_MIN_LENGTH) problems.push('too-short');
  if ([...password].length > PASSWORD_MAX_LENGTH) problems.push('too-long');
  const lower = visible.toLowerCase();
  const stem = lower.replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
  if (COMMON.has(lower) || COMMON.has(stem)) problems.push('common');
  const local = email.trim().toLowerCase().split('@')[0] ?? '';
  if (local.length >= 3 && lower.includes(local)) problems.push('contains-email');
  if (new Set(chars).size < 5) problems.push('repetitive');
  return problems;
}
