import type { AppConfig } from '../config/config';
import type { Clock } from '../engine/ports';
import type { Services } from '../runtime/services';
import { AuditRepository } from './audit.repository';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter';
import { PasswordHasher } from './password';
import { StaffSessionStore } from './session.store';
import { sessionTimeouts, StaffAccounts, type StaffDeps } from './staff.accounts';
import { StaffAuth } from './staff.auth';
import { createStaffModels } from './staff.models';
import { StaffRepository } from './staff.repository';

/** The staff context's parts, wired once per process and shared by the HTTP plugin and the command line. */
export interface StaffContext extends StaffDeps {
  accounts: StaffAccounts;
  auth: StaffAuth;
}

export type StaffConfig = Pick<AppConfig, 'queuePrefix' | 'staffSessions'>;

/** Tests inject a clock, cheaper scrypt parameters or other limits. */
export interface StaffOverrides {
  clock?: Clock;
  hasher?: PasswordHasher;
  limits?: LoginLimits;
}

const systemClock: Clock = { now: () => new Date() };

export async function createStaffContext(config: StaffConfig, services: Pick<Services, 'mongo' | 'redis' | 'cipher'>, overrides: StaffOverrides = {}): Promise<StaffContext> {
  const models = await createStaffModels(services.mongo);
  const clock = overrides.clock ?? systemClock;
  const timeouts = sessionTimeouts(config.staffSessions.idleMinutes, config.staffSessions.absoluteHours);
  const hash = (key: string): string => services.cipher.digest('redis-key', key);
  const deps: StaffDeps = {
    staff: new StaffRepository(models),
    audit: new AuditRepository(models),
    sessions: new StaffSessionStore(services.redis, config.queuePrefix, timeouts, clock),
    limiter: new LoginLimiter(services.redis, config.queuePrefix, hash, overrides.limits ?? DEFAULT_LOGIN_LIMITS),
    hasher: overrides.hasher ?? new PasswordHasher(),
    clock,
    cipher: services.cipher,
  };
  const emailDigest = (email: string): string => services.cipher.digest('staff-login-name', email);
  return { ...deps, accounts: new StaffAccounts(deps), auth: new StaffAuth({ ...deps, emailDigest }) };
}
