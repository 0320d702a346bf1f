import { checkPasswordPolicy, DEFAULT_SCRYPT, HasherBusyError, PasswordHasher } from '../../src/staff/password';

/** Cheap parameters for round trips; the default cost is checked once on its own. */
const fast = new PasswordHasher({ ln: 12, r: 8, p: 1 });

describe('staff password hashing', () => {
  it('uses scrypt with N = 2^17, r = 8, p = 1 and a 16-byte salt by default, parameters written into the hash', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ ln: 17, r: 8, p: 1 });
    const encoded = await new PasswordHasher().hash('correct horse battery staple');
    expect(encoded).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(Buffer.from(encoded.split('$')[3] as string, 'base64')).toHaveLength(16);
  });

  it('verifies the right password and refuses a wrong one, a malformed hash and an empty one', async () => {
    const encoded = await fast.hash('Qamar-Dammam-Lantern-7');
    await expect(fast.verify('Qamar-Dammam-Lantern-7', encoded)).resolves.toBe(true);
    await expect(fast.verify('qamar-dammam-lantern-7', encoded)).resolves.toBe(false);
    await expect(fast.verify('Qamar-Dammam-Lantern-7', encoded.slice(0, -2))).resolves.toBe(false);
    await expect(fast.verify('Qamar-Dammam-Lantern-7', '')).resolves.toBe(false);
  });

  it('salts every hash, so one password never hashes the same twice', async () => {
    expect(await fast.hash('same password here')).not.toEqual(await fast.hash('same password here'));
  });

  it('verifies hashes made with other parameters and says when one is weaker than the current ones', async () => {
    const old = await new PasswordHasher({ ln: 10, r: 8, p: 1 }).hash('an older password');
    await expect(fast.verify('an older password', old)).resolves.toBe(true);
    expect(fast.needsRehash(old)).toBe(true);
    expect(fast.needsRehash(await fast.hash('a current password'))).toBe(false);
    expect(fast.needsRehash('not a hash')).toBe(true);
  });

  it('treats an Arabic password typed in another Unicode form as the same password', async () => {
    const composed = 'كلمة آمنة جداً للموظفين';
    const encoded = await fast.hash(composed);
    await expect(fast.verify(composed.normalize('NFD'), encoded)).resolves.toBe(true);
  });

  it('answers false for a missing account after doing the same work', async () => {
    await expect(fast.verifyNothing('whatever was typed')).resolves.toBe(false);
  });

  it('runs two derivations at a time and refuses at once when 64 more are waiting', async () => {
    const hasher = new PasswordHasher({ ln: 10, r: 8, p: 1 });
    const results = await Promise.allSettled(Array.from({ length: 70 }, (_, i) => hasher.hash(`burst password ${i}`)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(66);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof HasherBusyError)).toBe(true);
    await expect(hasher.hash('after the burst')).resolves.toMatch(/^\$scrypt\$/);
  });

  it('refuses parameters out of range', () => {
    expect(() => new PasswordHasher({ ln: 4, r: 8, p: 1 })).toThrow(RangeError);
  });
});

describe('staff password policy', () => {
  const email = 'fatima.alzahrani@basirah.example';

  it('accepts a long, uncommon password', () => {
    expect(checkPasswordPolicy('lantern-orchard-seventeen', email)).toEqual([]);
    expect(checkPasswordPolicy('فانوس البستان السابع', email)).toEqual([]);
  });

  it('wants at least 12 characters, counted as characters rather than bytes', () => {
    expect(checkPasswordPolicy('short-pw-1', email)).toContain('too-short');
    expect(checkPasswordPolicy('حديقة وقمر ن', email)).not.toContain('too-short');
    expect(checkPasswordPolicy('x'.repeat(201), email)).toContain('too-long');
  });

  it('refuses common passwords case-insensitively, also with digits or symbols around them', () => {
    for (const common of ['qwertyuiop12', '123456789012', 'Password1234', 'BASIRAH12345', 'basirah2026!!', 'qwerty123456', '1q2w3e4r5t6y', 'Bismillah786!']) {
      expect([common, checkPasswordPolicy(common, email)]).toEqual([common, expect.arrayContaining(['common'])]);
    }
  });

  it('refuses a password containing the local part of the e-mail address', () => {
    expect(checkPasswordPolicy('Fatima.Alzahrani-2026', email)).toContain('contains-email');
  });

  it('refuses a few characters repeated', () => {
    expect(checkPasswordPolicy('abababababababab', email)).toContain('repetitive');
  });
});

describe('password policy against padding and decoration (attack review)', () => {
  it.each([
    ['twelve spaces then five letters', `${' '.repeat(12)}abcde`, 'too-short'],
    ['a common password with combining accents', 'password\u0301\u0301\u0301\u0301\u0301\u0301', 'common'],
    ['zero-width characters as padding', 'abc\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200bdefgh', 'too-short'],
  ])('%s is refused', async (_label, password, problem) => {
    const { checkPasswordPolicy } = await import('../../src/staff/password');
    expect(checkPasswordPolicy(password, 'someone@basirah.example')).toContain(problem);
  });
});
