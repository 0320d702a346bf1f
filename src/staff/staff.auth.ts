import type { StaffDeps } from './staff.accounts';
import type { StaffSession } from './session.store';
import { normalizeEmail, type StaffAccount, type StaffCredentials } from './staff.repository';
import { matchTotp } from './totp';

export type LoginResult =
  | { ok: true; sessionId: string; session: StaffSession; account: StaffAccount }
  | { ok: false; reason: 'invalid-credentials' | 'locked' };

/** A request's live session and the account behind it, with the account's current roles. */
export interface Authenticated {
  sessionId: string;
  session: StaffSession;
  account: StaffAccount;
}

export interface AuthDeps extends StaffDeps {
  /** HMAC of a log-in name, so a failed log-in with an unknown name can be audited without storing the name. */
  emailDigest: (email: string) => string;
}

/**
 * Log-in, log-out and the per-request session check. Unknown names, wrong passwords and disabled
 * accounts give one and the same answer after the same work (a full scrypt), and a lock-out
 * answers the same for every name, so neither the answer nor its timing tells which accounts exist.
 */
export class StaffAuth {
  constructor(private readonly deps: AuthDeps) {}

  /**
   * Checks the password (and, for an account with a second factor, the authenticator code) and
   * opens a new session; `previousSessionId` (a cookie sent along) is destroyed, never reused. A
   * missing or wrong code gets the same answer as a wrong password, so the answer never says the
   * password was right.
   */
  async login(emailInput: string, password: string, ip: string, previousSessionId: string | undefined, totp = ''): Promise<LoginResult> {
    const { staff, hasher, limiter, sessions } = this.deps;
    const email = normalizeEmail(emailInput);
    if (previousSessionId !== undefined) await this.dropPrevious(previousSessionId);
    if (!(await limiter.begin(email, ip))) {
      await this.failed(email, null, ip, 'locked');
      return { ok: false, reason: 'locked' };
    }
    const found = await staff.findCredentials(email);
    const matches = found ? await hasher.verify(password, found.passwordHash) : await hasher.verifyNothing(password);
    if (!found || !matches || found.disabled) {
      await staff.recordFailure(email, this.deps.clock.now());
      await this.failed(email, found?.id ?? null, ip, !found ? 'unknown-name' : found.disabled ? 'disabled' : 'wrong-password');
      return { ok: false, reason: 'invalid-credentials' };
    }
    const secondFactor = await this.checkTotp(found, totp);
    if (secondFactor !== 'ok') {
      await staff.recordFailure(email, this.deps.clock.now());
      await this.failed(email, found.id, ip, secondFactor);
      return { ok: false, reason: 'invalid-credentials' };
    }
    await limiter.recordSuccess(email, ip);
    const rehashed = hasher.needsRehash(found.passwordHash) ? await hasher.hash(password) : null;
    await staff.recordLogin(found.id, this.deps.clock.now(), rehashed);
    const { passwordHash: _hash, totpSealed: _secret, ...account } = found;
    const { id: sessionId, session } = await sessions.create(account.id, account.roles);
    await this.audit('login', account.id, ip, null);
    return { ok: true, sessionId, session, account };
  }

  async logout(auth: Authenticated, ip: string): Promise<void> {
    await this.deps.sessions.destroy(auth.sessionId, auth.session.staffId);
    await this.audit('logout', auth.account.id, ip, null);
  }

  /**
   * The session behind a cookie value, or null. The account is read on every request, so a
   * disabled account, a password changed since the log-in, or changed roles take effect at once.
   */
  async authenticate(sessionId: string | undefined): Promise<Authenticated | null> {
    const session = await this.deps.sessions.resolve(sessionId);
    if (!session || sessionId === undefined) return null;
    const account = await this.deps.staff.findById(session.staffId);
    if (!account || account.disabled || account.passwordChangedAt.getTime() > session.createdAt) {
      await this.deps.sessions.destroy(sessionId, session.staffId);
      return null;
    }
    return { sessionId, session, account };
  }

  /** `ok` without a second factor, or with a code of a step not used before. */
  private async checkTotp(found: StaffCredentials, code: string): Promise<'ok' | 'totp-missing' | 'wrong-totp' | 'totp-reused'> {
    if (!found.totpSealed) return 'ok';
    if (code.trim() === '') return 'totp-missing';
    const step = matchTotp(this.deps.cipher.open(found.totpSealed), code, this.deps.clock.now());
    if (step === null) return 'wrong-totp';
    return (await this.deps.staff.useTotpStep(found.id, step)) ? 'ok' : 'totp-reused';
  }

  private async dropPrevious(sessionId: string): Promise<void> {
    const previous = await this.deps.sessions.resolve(sessionId);
    if (previous) await this.deps.sessions.destroy(sessionId, previous.staffId);
  }

  private async failed(email: string, targetId: string | null, ip: string, detail: string): Promise<void> {
    await this.deps.audit.append({
      at: this.deps.clock.now(),
      action: 'login-failed',
      actorId: null,
      targetId,
      via: 'api',
      ip,
      emailDigest: this.deps.emailDigest(email),
      detail,
    });
  }

  private async audit(action: 'login' | 'logout', staffId: string, ip: string, detail: string | null): Promise<void> {
    await this.deps.audit.append({ at: this.deps.clock.now(), action, actorId: staffId, targetId: staffId, via: 'api', ip, detail });
  }
}
