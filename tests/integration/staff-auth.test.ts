import { randomBytes } from 'node:crypto';
import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';

const MINUTE = 60_000;

let h: StaffHarness;
beforeAll(async () => {
  h = await startStaffHarness('staffauth', { limits: { accountFailures: 5, addressFailures: 20, windowSeconds: 900, lockSeconds: 900 } });
});
afterAll(async () => h.close());

/** A fresh client address per test, so per-address counts do not carry over between tests. */
function freshIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

async function auditOf(action: string, targetId?: string): Promise<Array<Record<string, unknown>>> {
  const page = await h.context.audit.query({ action: action as never, page: 1, pageSize: 100 });
  return page.entries.filter((e) => targetId === undefined || e.targetId === targetId) as unknown as Array<Record<string, unknown>>;
}

describe('staff log-in', () => {
  it('opens a session in a __Host- cookie (HttpOnly, Secure, SameSite=Strict, Path=/) and returns the CSRF token and who signed in', async () => {
    const staff = await h.createStaff(['agent', 'researcher'], { name: 'Huda' });
    const { response, sessionId, csrfToken } = await h.login(staff.email.toUpperCase(), staff.password);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ csrfToken, staff: { id: staff.account.id, name: 'Huda', roles: ['agent', 'researcher'] } });
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-basirah_staff=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$/);
    expect(response.headers['cache-control']).toBe('no-store');
    const me = await h.call('GET', '/staff/api/me', { sessionId });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ csrfToken, staff: { id: staff.account.id } });
    expect(await auditOf('login', staff.account.id)).toHaveLength(1);
  });

  it('answers a wrong password, an unknown name and a disabled account alike, and audits them without the name typed', async () => {
    const staff = await h.createStaff(['agent']);
    const disabled = await h.createStaff(['agent']);
    await h.context.accounts.disable(disabled.account.id, { staffId: null, via: 'cli', ip: null });
    const ip = freshIp();
    const wrong = await h.login(staff.email, 'not the password at all', { ip });
    const unknown = await h.login(`nobody-${randomBytes(3).toString('hex')}@basirah.example`, 'not the password at all', { ip });
    const off = await h.login(disabled.email, disabled.password, { ip });
    for (const r of [wrong, unknown, off]) {
      expect(r.response.statusCode).toBe(401);
      expect(r.response.json()).toEqual({ error: 'invalid-credentials', message: expect.any(String) });
      expect(r.sessionId).toBeUndefined();
    }
    const failures = (await auditOf('login-failed')).filter((e) => e.ip === ip);
    expect(failures.map((e) => e.detail).sort()).toEqual(['disabled', 'unknown-name', 'wrong-password']);
    expect(JSON.stringify(failures)).not.toContain('@basirah.example');
    expect(failures.every((e) => typeof e.emailDigest === 'string' && e.at instanceof Date)).toBe(true);
    expect((await h.context.staff.findById(staff.account.id))?.failedLogins).toBe(1);
  });

  it('refuses a malformed body with a stable code, before any password work', async () => {
    const r = await h.call('POST', '/staff/api/login', { body: { email: 'a@b.example' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'invalid-request' });
  });

  it('locks a name out after 5 failures in 15 minutes — even for the right password — and says the same for a name without an account', async () => {
    const staff = await h.createStaff(['agent']);
    const ghost = `ghost-${randomBytes(3).toString('hex')}@basirah.example`;
    for (let i = 0; i < 5; i += 1) {
      expect((await h.login(staff.email, `wrong guess ${i}`, { ip: freshIp() })).response.statusCode).toBe(401);
      expect((await h.login(ghost, `wrong guess ${i}`, { ip: freshIp() })).response.statusCode).toBe(401);
    }
    const locked = await h.login(staff.email, staff.password, { ip: freshIp() });
    const ghostLocked = await h.login(ghost, 'anything at all', { ip: freshIp() });
    expect(locked.response.statusCode).toBe(429);
    expect(locked.response.json()).toEqual(ghostLocked.response.json());
    expect(locked.response.json()).toMatchObject({ error: 'login-locked' });
    expect(locked.sessionId).toBeUndefined();
    // An admin's password reset lifts the lock-out.
    const reset = await h.context.accounts.resetPassword(staff.account.id, 'a brand new lantern phrase', { staffId: null, via: 'cli', ip: null });
    expect(reset).toEqual({ ok: true });
    expect((await h.login(staff.email, 'a brand new lantern phrase', { ip: freshIp() })).response.statusCode).toBe(200);
  });

  it('locks an address out after 20 failures in 15 minutes, while other addresses still log in', async () => {
    const staff = await h.createStaff(['agent']);
    const ip = freshIp();
    for (let i = 0; i < 20; i += 1) {
      expect((await h.login(`spray-${i}-${randomBytes(2).toString('hex')}@basirah.example`, 'Summer2026!!', { ip })).response.statusCode).toBe(401);
    }
    expect((await h.login(staff.email, staff.password, { ip })).response.statusCode).toBe(429);
    expect((await h.login(staff.email, staff.password, { ip: freshIp() })).response.statusCode).toBe(200);
  });

  it('does not let a stranger spraying names from an office address lock out staff who log in from it', async () => {
    // One office, or a reverse proxy: every member of staff shares one address.
    const office = freshIp();
    const colleague = await h.createStaff(['agent']);
    const researcher = await h.createStaff(['researcher']);
    expect((await h.login(colleague.email, colleague.password, { ip: office })).response.statusCode).toBe(200);
    expect((await h.login(researcher.email, researcher.password, { ip: office })).response.statusCode).toBe(200);
    for (let i = 0; i < 25; i += 1) {
      const res = (await h.login(`spray-${i}-${randomBytes(2).toString('hex')}@basirah.example`, 'Summer2026!!', { ip: office })).response;
      expect([i, res.statusCode]).toEqual([i, i < 20 ? 401 : 429]);
    }
    // Names that have logged in from here before still do; a name new to this address waits out the lock.
    expect((await h.login(colleague.email, colleague.password, { ip: office })).response.statusCode).toBe(200);
    expect((await h.login(researcher.email, researcher.password, { ip: office })).response.statusCode).toBe(200);
    const newcomer = await h.createStaff(['agent']);
    expect((await h.login(newcomer.email, newcomer.password, { ip: office })).response.statusCode).toBe(429);
    // A known name still has its own lock: five wrong passwords lock it, from any address.
    for (let i = 0; i < 5; i += 1) expect((await h.login(colleague.email, 'wrong password here', { ip: office })).response.statusCode).toBe(401);
    expect((await h.login(colleague.email, colleague.password, { ip: office })).response.statusCode).toBe(429);
    expect((await h.login(colleague.email, colleague.password, { ip: freshIp() })).response.statusCode).toBe(429);
  });
});

describe('staff sessions', () => {
  it('issues a new session id at log-in: a planted cookie is never adopted, and an earlier session is ended', async () => {
    const staff = await h.createStaff(['agent']);
    const planted = randomBytes(32).toString('base64url');
    const first = await h.login(staff.email, staff.password, { cookie: planted });
    expect(first.sessionId).toBeDefined();
    expect(first.sessionId).not.toBe(planted);
    expect((await h.call('GET', '/staff/api/me', { sessionId: planted })).statusCode).toBe(401);
    const second = await h.login(staff.email, staff.password, { cookie: first.sessionId as string });
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.csrfToken).not.toBe(first.csrfToken);
    expect((await h.call('GET', '/staff/api/me', { sessionId: first.sessionId as string })).statusCode).toBe(401);
    expect((await h.call('GET', '/staff/api/me', { sessionId: second.sessionId as string })).statusCode).toBe(200);
  });

  it('ends a session after 30 idle minutes, while activity keeps it alive', async () => {
    const { sessionId } = await signedIn(h, ['agent']);
    h.clock.advance(29 * MINUTE);
    expect((await h.call('GET', '/staff/api/me', { sessionId })).statusCode).toBe(200);
    h.clock.advance(29 * MINUTE);
    expect((await h.call('GET', '/staff/api/me', { sessionId })).statusCode).toBe(200);
    h.clock.advance(30 * MINUTE);
    const expired = await h.call('GET', '/staff/api/me', { sessionId });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: 'not-authenticated' });
    expect(String(expired.headers['set-cookie'])).toMatch(/^__Host-basirah_staff=; Path=\/; Max-Age=0/);
  });

  it('ends a session 12 hours after log-in however active it is', async () => {
    const { sessionId } = await signedIn(h, ['agent']);
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      h.clock.advance(20 * MINUTE);
      expect((await h.call('GET', '/staff/api/me', { sessionId })).statusCode).toBe(200);
    }
    h.clock.advance(20 * MINUTE);
    expect((await h.call('GET', '/staff/api/me', { sessionId })).statusCode).toBe(401);
  });

  it('logs out: the session ends, the cookie is cleared and the log-out is audited', async () => {
    const { sessionId, csrfToken, account } = await signedIn(h, ['committee']);
    const out = await h.call('POST', '/staff/api/logout', { sessionId, csrfToken });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await h.call('GET', '/staff/api/me', { sessionId })).statusCode).toBe(401);
    expect(await auditOf('logout', account.id)).toHaveLength(1);
  });

  it("lets an admin end all of someone's sessions, and disabling an account ends them too", async () => {
    const admin = await signedIn(h, ['admin']);
    const agent = await h.createStaff(['agent']);
    const one = await h.login(agent.email, agent.password);
    const two = await h.login(agent.email, agent.password);
    const ended = await h.call('POST', `/staff/api/staff/${agent.account.id}/sessions/end`, { sessionId: admin.sessionId, csrfToken: admin.csrfToken });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toEqual({ ended: 2 });
    for (const s of [one, two]) expect((await h.call('GET', '/staff/api/me', { sessionId: s.sessionId as string })).statusCode).toBe(401);
    expect(await auditOf('sessions-ended', agent.account.id)).toMatchObject([{ actorId: admin.account.id, via: 'api' }]);

    const three = await h.login(agent.email, agent.password);
    const disabled = await h.call('POST', `/staff/api/staff/${agent.account.id}/disable`, { sessionId: admin.sessionId, csrfToken: admin.csrfToken });
    expect(disabled.statusCode).toBe(204);
    expect((await h.call('GET', '/staff/api/me', { sessionId: three.sessionId as string })).statusCode).toBe(401);
    expect((await h.login(agent.email, agent.password)).response.statusCode).toBe(401);
    const self = await h.call('POST', `/staff/api/staff/${admin.account.id}/disable`, { sessionId: admin.sessionId, csrfToken: admin.csrfToken });
    expect(self.json()).toMatchObject({ error: 'cannot-disable-self' });
    const missing = await h.call('POST', `/staff/api/staff/${'0'.repeat(24)}/sessions/end`, { sessionId: admin.sessionId, csrfToken: admin.csrfToken });
    expect(missing.statusCode).toBe(404);
  });
});

describe('staff CSRF and origin checks', () => {
  it('refuses a state-changing request without the CSRF token, with a wrong one, or with another session’s', async () => {
    const me = await signedIn(h, ['agent']);
    const other = await signedIn(h, ['agent']);
    for (const csrfToken of [undefined, 'wrong', other.csrfToken]) {
      const r = await h.call('POST', '/staff/api/logout', { sessionId: me.sessionId, ...(csrfToken !== undefined ? { csrfToken } : {}) });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ error: 'csrf-failed' });
    }
    expect((await h.call('GET', '/staff/api/me', { sessionId: me.sessionId })).statusCode).toBe(200);
  });

  it('refuses state-changing requests from another origin or site, log-in included; same-origin ones pass', async () => {
    const me = await signedIn(h, ['agent']);
    const evil = { origin: 'https://evil.example' };
    const login = await h.call('POST', '/staff/api/login', { body: { email: me.email, password: me.password }, headers: evil });
    expect(login.statusCode).toBe(403);
    expect(login.json()).toMatchObject({ error: 'cross-origin' });
    const logout = await h.call('POST', '/staff/api/logout', { sessionId: me.sessionId, csrfToken: me.csrfToken, headers: evil });
    expect(logout.json()).toMatchObject({ error: 'cross-origin' });
    const fetchMeta = await h.call('POST', '/staff/api/logout', { sessionId: me.sessionId, csrfToken: me.csrfToken, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.json()).toMatchObject({ error: 'cross-origin' });
    const same = await h.call('POST', '/staff/api/logout', { sessionId: me.sessionId, csrfToken: me.csrfToken, headers: { host: 'console.test:8080', origin: 'http://console.test:8080' } });
    expect(same.statusCode).toBe(204);
  });

  it('compares the Origin with PUBLIC_BASE_URL when it is set (the bot behind a TLS proxy)', async () => {
    const proxied = await startStaffHarness('staffproxy', { publicBaseUrl: 'https://bot.basirah.example/' });
    try {
      const staff = await proxied.createStaff(['agent']);
      const body = { email: staff.email, password: staff.password };
      const ok = await proxied.call('POST', '/staff/api/login', { body, headers: { origin: 'https://bot.basirah.example' } });
      expect(ok.statusCode).toBe(200);
      const plain = await proxied.call('POST', '/staff/api/login', { body, headers: { host: 'bot.basirah.example', origin: 'http://bot.basirah.example' } });
      expect(plain.json()).toMatchObject({ error: 'cross-origin' });
    } finally {
      await proxied.close();
    }
  });
});

describe('staff administration', () => {
  it('creates accounts under the password policy and never returns a hash', async () => {
    const admin = await signedIn(h, ['admin']);
    const auth = { sessionId: admin.sessionId, csrfToken: admin.csrfToken };
    const email = `new-${randomBytes(3).toString('hex')}@basirah.example`;
    const weak = await h.call('POST', '/staff/api/staff', { ...auth, body: { email, name: 'New', roles: ['agent'], password: 'Password1234' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: 'weak-password', problems: ['common'] });
    // A blank name is refused as invalid input (it reached the database and answered 500 before).
    const blank = await h.call('POST', '/staff/api/staff', { ...auth, body: { email, name: '   ', roles: ['agent'], password: 'quiet harbour at dawn' } });
    expect([blank.statusCode, blank.json().error]).toEqual([400, 'invalid-request']);
    const created = await h.call('POST', '/staff/api/staff', { ...auth, body: { email, name: 'New', roles: ['researcher', 'agent'], password: 'quiet harbour at dawn' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().staff).toMatchObject({ email, roles: ['agent', 'researcher'], disabled: false });
    expect(created.body).not.toMatch(/scrypt|passwordHash/);
    const again = await h.call('POST', '/staff/api/staff', { ...auth, body: { email: email.toUpperCase(), name: 'Dup', roles: ['agent'], password: 'quiet harbour at dusk' } });
    expect(again.json()).toMatchObject({ error: 'email-taken' });
    const list = await h.call('GET', '/staff/api/staff', { sessionId: admin.sessionId });
    expect(list.body).not.toMatch(/scrypt|passwordHash/);
    expect((list.json() as { staff: Array<{ email: string }> }).staff.map((s) => s.email)).toContain(email);
    expect(await auditOf('account-created', created.json().staff.id)).toMatchObject([{ actorId: admin.account.id }]);
  });

  it('lists the audit log newest first, filtered by action and actor, a page at a time, with UTC times', async () => {
    const admin = await signedIn(h, ['admin']);
    for (let i = 0; i < 3; i += 1) await h.login(admin.email, admin.password);
    const first = await h.call('GET', `/staff/api/audit?action=login&actor=${admin.account.id}&pageSize=2`, { sessionId: admin.sessionId });
    expect(first.statusCode).toBe(200);
    const page = first.json() as { entries: Array<{ action: string; actorId: string; at: string }>; hasMore: boolean };
    expect(page.entries).toHaveLength(2);
    expect(page.hasMore).toBe(true);
    expect(page.entries.every((e) => e.action === 'login' && e.actorId === admin.account.id && e.at.endsWith('Z'))).toBe(true);
    const last = (await h.call('GET', `/staff/api/audit?action=login&actor=${admin.account.id}&pageSize=2&page=2`, { sessionId: admin.sessionId })).json();
    expect(last).toMatchObject({ page: 2, hasMore: false });
    const future = (await h.call('GET', `/staff/api/audit?from=2100-01-01T00:00:00Z`, { sessionId: admin.sessionId })).json();
    expect(future.entries).toEqual([]);
    expect((await h.call('GET', '/staff/api/audit?action=deleted', { sessionId: admin.sessionId })).statusCode).toBe(400);
  });
});
