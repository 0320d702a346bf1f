import { fromBase32, newTotpSecret, stepAt, totpCode } from '../../src/staff/totp';
import { csrfFieldOf, startConsoleHarness, type ConsoleHarness } from '../support/console';
import type { StaffHarness, TestStaff } from '../support/staff';

/**
 * Two-step verification for staff (issue 10, "optional TOTP second factor for admins"): turned on
 * with a code from the app, asked at every log-in (API and page), each code good once, and the
 * same answer as a wrong password whatever is wrong. Real Redis and FerretDB, a hand-moved clock.
 */
let c: ConsoleHarness;
let h: StaffHarness;
const CLI = { staffId: null, via: 'cli' as const, ip: null };

beforeAll(async () => {
  c = await startConsoleHarness('totp');
  h = c.staff;
});
afterAll(async () => c?.close());

/** An admin with two-step verification on; returns the secret and the step of the code that confirmed it. */
async function adminWithTotp(): Promise<{ admin: TestStaff; secret: string; codeAt: (offsetSteps: number) => string }> {
  const admin = await h.createStaff(['admin']);
  const secret = newTotpSecret();
  const codeAt = (offsetSteps: number): string => totpCode(fromBase32(secret), stepAt(h.clock.now()) + offsetSteps);
  expect(await h.context.accounts.enableTotp(admin.account.id, secret, codeAt(0), CLI)).toEqual({ ok: true });
  return { admin, secret, codeAt };
}

const failuresOf = async (staffId: string): Promise<Array<string | null>> =>
  (await h.db.collection('staff_audit').find({ action: 'login-failed', targetId: staffId }).sort({ at: 1 }).toArray()).map((e) => e.detail as string | null);

it('is turned on only with a code the app shows, and the secret is stored sealed', async () => {
  const admin = await h.createStaff(['admin']);
  const secret = newTotpSecret();
  expect(await h.context.accounts.enableTotp(admin.account.id, secret, '000000' === totpCode(fromBase32(secret), stepAt(h.clock.now())) ? '111111' : '000000', CLI)).toEqual({ ok: false, reason: 'wrong-code' });
  expect((await h.context.staff.findById(admin.account.id))?.totpEnabled).toBe(false);
  // A session opened before it is turned on ends: it was opened without the second factor.
  const before = await h.login(admin.email, admin.password);
  expect(before.response.statusCode).toBe(200);
  expect(await h.context.accounts.enableTotp(admin.account.id, secret, totpCode(fromBase32(secret), stepAt(h.clock.now())), CLI)).toEqual({ ok: true });
  expect((await h.call('GET', '/staff/api/me', { sessionId: before.sessionId })).statusCode).toBe(401);
  const doc = await h.db.collection('staff').findOne({ email: admin.email });
  expect(doc?.totpSealed).toEqual(expect.objectContaining({ ct: expect.any(String), iv: expect.any(String), tag: expect.any(String) }));
  expect(JSON.stringify(doc)).not.toContain(secret);
  expect((await h.context.staff.findById(admin.account.id))?.totpEnabled).toBe(true);
  const audit = await h.db.collection('staff_audit').findOne({ action: 'totp-enabled', targetId: admin.account.id });
  expect(audit).toMatchObject({ via: 'cli', detail: 'sessions-ended:1' });
});

it('asks for the code at log-in; a missing, wrong or used code gets the wrong-password answer; each code works once', async () => {
  const { admin, codeAt } = await adminWithTotp();
  const invalid = { error: 'invalid-credentials' };
  // The password alone, or with a wrong code: refused exactly like a wrong password.
  const alone = await h.login(admin.email, admin.password);
  expect([alone.response.statusCode, alone.response.json(), alone.sessionId]).toEqual([401, expect.objectContaining(invalid), undefined]);
  const wrongPassword = await h.login(admin.email, `${admin.password}x`, { totp: codeAt(0) });
  expect([wrongPassword.response.statusCode, wrongPassword.response.json()]).toEqual([401, expect.objectContaining(invalid)]);
  const wrongCode = await h.login(admin.email, admin.password, { totp: codeAt(0) === '123456' ? '654321' : '123456' });
  expect([wrongCode.response.statusCode, wrongCode.response.json()]).toEqual([401, expect.objectContaining(invalid)]);
  // The code that turned it on was used then: not again.
  const reused = await h.login(admin.email, admin.password, { totp: codeAt(0) });
  expect(reused.response.statusCode).toBe(401);

  // Half a minute later the app shows a new code: typed with a space, it opens a session.
  h.clock.advance(30_000);
  const good = await h.login(admin.email, admin.password, { totp: `${codeAt(0).slice(0, 3)} ${codeAt(0).slice(3)}` });
  expect(good.response.statusCode).toBe(200);
  expect(good.sessionId).toBeDefined();
  // Seen over a shoulder and typed again within its 30 seconds: refused.
  expect((await h.login(admin.email, admin.password, { totp: codeAt(0) })).response.statusCode).toBe(401);
  // A code one step behind (the phone's clock a little slow) is older than the one used: refused too.
  expect((await h.login(admin.email, admin.password, { totp: codeAt(-1) })).response.statusCode).toBe(401);

  expect(await failuresOf(admin.account.id)).toEqual(['totp-missing', 'wrong-password', 'wrong-totp', 'totp-reused', 'totp-reused', 'totp-reused']);
});

it('the log-in page has the code field, reads Arabic-Indic digits, and says the same for any wrong part', async () => {
  const { admin, codeAt } = await adminWithTotp();
  const page = await c.get('/staff/login');
  expect(page.body).toContain('name="totp"');
  expect(page.body).toContain('autocomplete="one-time-code"');
  expect(page.body).toContain('inputmode="numeric"');
  const missing = await c.post('/staff/login', { email: admin.email, password: admin.password });
  expect(missing.statusCode).toBe(401);
  expect(missing.body).toContain('البريد الإلكتروني أو كلمة المرور أو رمز التحقق غير صحيح.');
  h.clock.advance(30_000);
  const arabic = codeAt(0).replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string);
  const ok = await c.post('/staff/login', { email: admin.email, password: admin.password, totp: arabic });
  expect([ok.statusCode, ok.headers.location]).toEqual([303, '/staff/dashboard']);
  expect(csrfFieldOf((await c.get('/staff/dashboard', { cookie: String(ok.headers['set-cookie']).split(';')[0] })).body)).toMatch(/.{20,}/);
});

it('turned off from the command line (a lost phone), the password alone works again', async () => {
  const { admin } = await adminWithTotp();
  expect((await h.login(admin.email, admin.password)).response.statusCode).toBe(401);
  expect(await h.context.accounts.disableTotp(admin.account.id, CLI)).toBe(true);
  expect((await h.login(admin.email, admin.password)).response.statusCode).toBe(200);
  expect(await h.db.collection('staff_audit').countDocuments({ action: 'totp-disabled', targetId: admin.account.id })).toBe(1);
});
