import type { Clock } from '../engine/ports';
import type { FieldCipher } from '../security/field-cipher';
import type { AuditRepository } from './audit.repository';
import type { LoginLimiter } from './login-limiter';
import { checkPasswordPolicy, type PasswordHasher, type PasswordProblem } from './password';
import { normalizeRoles, type StaffRole } from './roles';
import type { SessionTimeouts, StaffSessionStore } from './session.store';
import { normalizeEmail, type StaffAccount, type StaffRepository } from './staff.repository';
import { matchTotp } from './totp';

/** Who performs an account operation, for the audit log. */
export interface Actor {
  staffId: string | null;
  via: 'api' | 'cli';
  ip: string | null;
}

export interface StaffDeps {
  staff: StaffRepository;
  audit: AuditRepository;
  sessions: StaffSessionStore;
  limiter: LoginLimiter;
  hasher: PasswordHasher;
  clock: Clock;
  /** Seals second-factor secrets at rest (the same cipher as beneficiaries' data). */
  cipher: Pick<FieldCipher, 'seal' | 'open'>;
}

export interface NewAccount {
  email: string;
  name: string;
  roles: readonly StaffRole[];
  password: string;
}

export type CreateAccountResult =
  | { ok: true; account: StaffAccount }
  | { ok: false; reason: 'invalid-email' | 'email-taken' }
  | { ok: false; reason: 'weak-password'; problems: PasswordProblem[] };

export type DisableResult = 'disabled' | 'not-found' | 'self' | 'last-admin';
export type TotpResult = { ok: true } | { ok: false; reason: 'not-found' | 'wrong-code' };
export type ResetResult = { ok: true } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'weak-password'; problems: PasswordProblem[] };

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** A deliberately loose check: the address is a log-in name, never mailed by the bot. */
export function isPlausibleEmail(email: string): boolean {
  const e = normalizeEmail(email);
  return e.length <= 254 && EMAIL.test(e);
}

/**
 * Account operations shared by the command line and the admin API. Each one is audited, and each
 * that takes access away also ends the account's sessions at once.
 */
export class StaffAccounts {
  constructor(private readonly deps: StaffDeps) {}

  async create(input: NewAccount, actor: Actor): Promise<CreateAccountResult> {
    if (!isPlausibleEmail(input.email)) return { ok: false, reason: 'invalid-email' };
    const problems = checkPasswordPolicy(input.password, input.email);
    if (problems.length > 0) return { ok: false, reason: 'weak-password', problems };
    const passwordHash = await this.deps.hasher.hash(input.password);
    const now = this.deps.clock.now();
    const created = await this.deps.staff.create({ email: input.email, name: input.name.trim(), roles: normalizeRoles(input.roles), passwordHash }, now);
    if (!created.ok) return created;
    await this.audit('account-created', actor, created.account.id, created.account.roles.join(','));
    return created;
  }

  /** Disables an account and ends its sessions. The last active admin cannot be disabled, nor can admins disable themselves. */
  async disable(id: string, actor: Actor): Promise<DisableResult> {
    if (actor.staffId === id) return 'self';
    const account = await this.deps.staff.findById(id);
    if (!account) return 'not-found';
    if (account.roles.includes('admin') && !account.disabled && (await this.deps.staff.countActiveAdmins()) <= 1) return 'last-admin';
    await this.deps.staff.setDisabled(id, true);
    const ended = await this.deps.sessions.endAll(id);
    await this.audit('account-disabled', actor, id, `sessions-ended:${ended}`);
    return 'disabled';
  }

  async enable(id: string, actor: Actor): Promise<boolean> {
    if (!(await this.deps.staff.setDisabled(id, false))) return false;
    await this.audit('account-enabled', actor, id, null);
    return true;
  }

  /** Sets a new password, lifts a log-in lock-out on the account's name and ends its sessions. */
  async resetPassword(id: string, password: string, actor: Actor): Promise<ResetResult> {
    const account = await this.deps.staff.findById(id);
    if (!account) return { ok: false, reason: 'not-found' };
    const problems = checkPasswordPolicy(password, account.email);
    if (problems.length > 0) return { ok: false, reason: 'weak-password', problems };
    await this.deps.staff.setPassword(id, await this.deps.hasher.hash(password), this.deps.clock.now());
    await this.deps.limiter.clear(account.email);
    const ended = await this.deps.sessions.endAll(id);
    await this.audit('password-reset', actor, id, `sessions-ended:${ended}`);
    return { ok: true };
  }

  /**
   * Turns on the second factor with a secret the person has put in their authenticator app, once
   * a code from the app proves it is there (a mistyped secret would otherwise lock them out).
   * Their other sessions end: they were opened without it.
   */
  async enableTotp(id: string, secret: string, code: string, actor: Actor): Promise<TotpResult> {
    const account = await this.deps.staff.findById(id);
    if (!account) return { ok: false, reason: 'not-found' };
    const step = matchTotp(secret, code, this.deps.clock.now());
    if (step === null) return { ok: false, reason: 'wrong-code' };
    await this.deps.staff.setTotp(id, this.deps.cipher.seal(secret), step);
    const ended = await this.deps.sessions.endAll(id);
    await this.audit('totp-enabled', actor, id, `sessions-ended:${ended}`);
    return { ok: true };
  }

  /** Turns the second factor off (a lost phone): from the command line, by someone with the server's keys. */
  async disableTotp(id: string, actor: Actor): Promise<boolean> {
    if (!(await this.deps.staff.setTotp(id, null, null))) return false;
    await this.audit('totp-disabled', actor, id, null);
    return true;
  }

  /** Ends every session of an account; null when there is no such account. */
  async endSessions(id: string, actor: Actor): Promise<number | null> {
    const account = await this.deps.staff.findById(id);
    if (!account) return null;
    const ended = await this.deps.sessions.endAll(id);
    await this.audit('sessions-ended', actor, id, `all:${ended}`);
    return ended;
  }

  private async audit(action: 'account-created' | 'account-disabled' | 'account-enabled' | 'password-reset' | 'sessions-ended' | 'totp-enabled' | 'totp-disabled', actor: Actor, targetId: string, detail: string | null): Promise<void> {
    await this.deps.audit.append({ at: this.deps.clock.now(), action, actorId: actor.staffId, targetId, via: actor.via, ip: actor.ip, detail });
  }
}

/** Session timeouts from the configuration's minutes and hours. */
export function sessionTimeouts(idleMinutes: number, absoluteHours: number): SessionTimeouts {
  return { idleMs: idleMinutes * 60_000, absoluteMs: absoluteHours * 3_600_000 };
}
