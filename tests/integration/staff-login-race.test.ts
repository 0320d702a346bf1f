import { startStaffHarness, type StaffHarness } from '../support/staff';

/** The log-in limits hold against parallel attempts: each attempt is counted before its password is checked. */

let h: StaffHarness;
beforeAll(async () => {
  h = await startStaffHarness('staffrace');
});
afterAll(async () => h.close());

it('checks at most five passwords of forty sent at once for one name, and the name is locked after the burst', async () => {
  const staff = await h.createStaff(['agent']);
  const ip = '10.5.5.5';
  const attempts = Array.from({ length: 40 }, (_, i) => (i === 39 ? staff.password : `wrong password number ${i}`));
  const answers = await Promise.all(attempts.map((password) => h.login(staff.email, password, { ip })));
  const page = await h.context.audit.query({ action: 'login-failed', page: 1, pageSize: 100 });
  const checked = page.entries.filter((e) => e.ip === ip && e.detail === 'wrong-password').length;
  expect(checked).toBeLessThanOrEqual(5);
  expect(answers.filter((a) => a.response.statusCode === 429).length).toBeGreaterThanOrEqual(34);
  // Whether the right password was among the five checked is chance; after the burst the name is locked either way.
  expect((await h.login(staff.email, staff.password, { ip: '10.6.6.6' })).response.statusCode).toBe(429);
});

it('a successful log-in gives its attempt back to the address (an office behind one address is not locked out by its own staff)', async () => {
  const ip = '10.7.7.7';
  for (let i = 0; i < 25; i += 1) {
    const staff = await h.createStaff(['agent']);
    expect((await h.login(staff.email, staff.password, { ip })).response.statusCode).toBe(200);
  }
});
