import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Secrets {
  encryptionKeys: string;
  hmacKey: string;
  sessionSecret: string;
  staffApiToken: string;
}

/** Generates a fresh set: DATA_ENCRYPTION_KEYS, DATA_HMAC_KEY, SESSION_SECRET, STAFF_API_TOKEN. */
export function generateSecrets(keyId = 'k1'): Secrets {
  return {
    encryptionKeys: `${keyId}:${randomBytes(32).toString('base64')}`,
    hmacKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64'),
    staffApiToken: randomBytes(24).toString('base64url'),
  };
}

/**
 * Development only: reads, or creates once, a key file in the project-local data folder so that
 * `npm run chat` works with no environment. Production refuses to start without configured keys
 * (see config.ts), so this file never protects real data unless an operator ignores that.
 */
export function loadOrCreateDevSecrets(dataDir: string, warn: (msg: string) => void): Secrets {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
    if (typeof parsed.encryptionKeys === 'string' && typeof parsed.hmacKey === 'string') {
      // Files written before the web chat existed lack the last two: complete them once.
      const complete = { ...generateSecrets('dev1'), ...parsed } as Secrets;
      if (!parsed.sessionSecret || !parsed.staffApiToken) writeFileSync(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
      return complete;
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets = generateSecrets('dev1');
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  warn(`Generated a development encryption key in ${file}; set DATA_ENCRYPTION_KEYS and DATA_HMAC_KEY for real data.`);
  return secrets;
}
