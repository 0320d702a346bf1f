import { signedIn } from '../support/staff';
import { csrfFieldOf, startConsoleHarness, type ConsoleHarness } from '../support/console';
import { seedSurveys } from '../support/console-surveys';

/**
 * The staff console's pages (src/staff/pages) through fastify's inject(): log-in with the same
 * rules as the API, role-gated pages, CSRF on form posts, the CSP, Arabic right-to-left first.
 */

let c: ConsoleHarness;
beforeAll(async () => {
  c = await startConsoleHarness('console');
});
afterAll(async () => c.close());

const sessionOf = (res: { cookies: Array<{ name: string; value: string }> }): string | undefined =>
  res.cookies.find((k) => k.name === '__Host-basirah_staff' && k.value !== '')?.value;

/** A translation key left in a page (i18next returns the key when one is missing). */
const RAW_KEY = /\b(?:app|nav|language|errors|login|dashboard|request_status|support_type|audit|audit_action|audit_via|staff|role|channels|channel|channel_state|wweb_phase)\.[a-z][a-z_-]*\b/;
const visibleText = (html: string): string => html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ');

describe('log-in page', () => {
  it('is Arabic and right-to-left on first paint, with a nonce CSP and no inline script', async () => {
    const res = await c.get('/staff/login');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    const csp = String(res.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) {
      expect(tag).toContain(`nonce="${nonce}"`);
      expect(tag).toMatch(/src="\/staff\/assets\//);
    }
    expect(res.body).not.toMatch(/\sstyle="/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('تسجيل دخول الموظفين');
    // A new nonce each time.
    expect((await c.get('/staff/login')).headers['content-security-policy']).not.toBe(csp);
  });

  it('switches to English with ?lng=en and remembers it in a cookie', async () => {
    const res = await c.get('/staff/login?lng=en');
    expect(res.body).toContain('<html lang="en" dir="ltr">');
    expect(res.body).toContain('Staff log-in');
    const cookie = res.cookies.find((k) => k.name === 'basirah_console_lng');
    expect(cookie?.value).toBe('en');
    const again = await c.get('/staff/login', { cookie: 'basirah_console_lng=en' });
    expect(again.body).toContain('<html lang="en" dir="ltr">');
  });

  it('logs in through the form, and says why when it cannot', async () => {
    const admin = await c.staff.createStaff(['admin']);
    const wrong = await c.post('/staff/login', { email: admin.email, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('البريد الإلكتروني أو كلمة المرور أو رمز التحقق غير صحيح.');
    expect(wrong.body).toContain(`value="${admin.email}"`);
    expect(sessionOf(wrong)).toBeUndefined();

    const ok = await c.post('/staff/login', { email: admin.email, password: admin.password });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/staff/dashboard');
    const sessionId = sessionOf(ok);
    expect(sessionId).toBeDefined();
    const dashboard = await c.get('/staff/dashboard', { sessionId: sessionId as string });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('<html lang="ar" dir="rtl">');
  });

  it('shows the lock-out after too many failures', async () => {
    const agent = await c.staff.createStaff(['agent']);
    let last = await c.post('/staff/login', { email: agent.email, password: 'wrong wrong wrong 1' });
    for (let i = 0; i < 5; i += 1) last = await c.post('/staff/login', { email: agent.email, password: 'wrong wrong wrong 1' });
    expect(last.statusCode).toBe(429);
    expect(last.body).toContain('محاولات فاشلة كثيرة');
    const evenRight = await c.post('/staff/login', { email: agent.email, password: agent.password });
    expect(evenRight.statusCode).toBe(429);
  });

  it('refuses a log-in form posted from another site', async () => {
    const admin = await c.staff.createStaff(['admin']);
    const res = await c.post('/staff/login', { email: admin.email, password: admin.password }, { headers: { origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(403);
    expect(sessionOf(res)).toBeUndefined();
  });
});

describe('pages and roles', () => {
  it('sends someone without a session to the log-in page, and back to the page they opened afterwards', async () => {
    for (const path of ['/staff/dashboard', '/staff/audit', '/staff/staff', '/staff/channels', '/staff/inbox', '/staff/']) {
      const res = await c.get(path);
      const login = path === '/staff/' ? '/staff/dashboard' : `/staff/login?next=${encodeURIComponent(path)}`;
      expect([path, res.statusCode, res.headers.location]).toEqual([path, 303, login]);
    }
    const expired = await c.get('/staff/dashboard', { sessionId: 'no-such-session' });
    expect(expired.headers.location).toBe('/staff/login?next=%2Fstaff%2Fdashboard');
    // A link to a case, opened logged out: log-in comes back to it.
    const deep = '/staff/cases/BSR-2026-00001?done=status';
    const page = await c.get(`/staff/login?next=${encodeURIComponent(deep)}`);
    expect(page.body).toContain(`<input type="hidden" name="next" value="/staff/cases/BSR-2026-00001?done=status">`);
    const staff = await c.staff.createStaff(['researcher']);
    const back = await c.post('/staff/login', { email: staff.email, password: staff.password, next: deep });
    expect([back.statusCode, back.headers.location]).toEqual([303, deep]);
    // Never an open redirect: another site, a protocol-relative or backslash path, the log-in page itself.
    const escapes = ['https://evil.example/staff/x', '//evil.example/staff/', '/\\evil.example', '/staff//evil.example', '/staff/../x', '/staff/login?next=/staff/x', 'javascript:alert(1)'];
    // Encoded dot segments and slashes, and the log-in, log-out and API under other spellings (second review).
    escapes.push('/staff/.%2e/.%2e/evil', '/staff/%2E%2E/', '/staff/%2f%2fevil.example', '/staff/%5cevil', '/staff/LOGIN', '/staff/%6cogin', '/staff/%6cogout', '/staff/api/logout');
    for (const next of escapes) {
      expect((await c.get(`/staff/login?next=${encodeURIComponent(next)}`)).body).not.toContain('name="next"');
      const res = await c.post('/staff/login', { email: staff.email, password: staff.password, next });
      expect([next, res.headers.location]).toEqual([next, '/staff/dashboard']);
    }
  });

  it('keeps an agent out of the admin pages, with a 403 page, and out of their links', async () => {
    const agent = await signedIn(c.staff, ['agent']);
    const dashboard = await c.get('/staff/dashboard', { sessionId: agent.sessionId });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).not.toContain('href="/staff/audit"');
    expect(dashboard.body).not.toContain('href="/staff/staff"');
    expect(dashboard.body).toContain('href="/staff/inbox"');
    expect(dashboard.body).not.toContain('رضا المستفيدين'); // satisfaction: supervisors and admins
    for (const path of ['/staff/audit', '/staff/staff', '/staff/channels', '/staff/channels/whatsapp-qr.png']) {
      const res = await c.get(path, { sessionId: agent.sessionId });
      expect([path, res.statusCode]).toEqual([path, 403]);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('صلاحياتك لا تسمح بفتح هذه الصفحة.');
    }
    const post = await c.post('/staff/staff', { _csrf: agent.csrfToken, email: 'x@basirah.example', name: 'X', roles: 'agent', password: 'Lantern river orchard 42' }, { sessionId: agent.sessionId });
    expect(post.statusCode).toBe(403);
  });

  it('shows the dashboard: request counts, handoffs waiting and held, first-response times, satisfaction charts', async () => {
    c.counts.byStatus.submitted = 7;
    c.counts.byStatus.committee = 2;
    c.counts.byType.financial = 6;
    c.counts.waiting = 3;
    c.counts.held = 5;
    c.counts.firstResponse = { answered: 12, averageSeconds: 3_930, medianSeconds: 170 };
    await seedSurveys(c.staff.surveys);
    const admin = await signedIn(c.staff, ['admin']);
    const res = await c.get('/staff/dashboard', { sessionId: admin.sessionId });
    expect(res.body).toContain('<span class="value">9</span>');
    expect(res.body).toContain('<p class="value">3</p><p>محادثات تنتظر من يستلمها</p>');
    expect(res.body).toContain('<p class="value">5</p><p>محادثات يتولاها موظف الآن</p>');
    // 3,930 s is 1 h 05.5 min, shown to the minute with Arabic unit words and plurals; the median 170 s is 3 min.
    expect(res.body).toContain('<p class="value">ساعة و6 دقائق</p><p>متوسط زمن أول رد من الموظفين (آخر 30 يومًا)</p>');
    expect(res.body).toContain('الوسيط 3 دقائق، وعدد المحادثات التي رُدّ عليها 12');
    // The window is the last 30 days of the staff clock.
    expect(c.counts.firstResponseSince?.getTime()).toBe(c.staff.clock.now().getTime() - 30 * 86_400_000);
    expect(res.body).toContain('id="chart-status"');
    expect(res.body).toContain('id="chart-months"');
    expect(res.body).toContain('<p class="value">3.91</p>'); // 43 / 11 ratings
    const data = /<script type="application\/json" id="dashboard-data" nonce="[^"]+">([^<]+)<\/script>/.exec(res.body)?.[1];
    const parsed = JSON.parse(data ?? 'null') as { dir: string; charts: Record<string, { labels: string[] }> };
    expect(parsed.dir).toBe('rtl');
    expect(parsed.charts.status?.labels[0]).toBe('مستلم');
    expect(parsed.charts.months?.labels).toHaveLength(4);
    expect(res.body).toMatch(/<script src="\/staff\/assets\/chart\.[\w-]+\.js"/);

    c.counts.firstResponse = { answered: 0, averageSeconds: null, medianSeconds: null };
    const none = await c.get('/staff/dashboard', { sessionId: admin.sessionId });
    expect(none.body).toContain('لم يُرَدّ بعد على أي محادثة فُتحت في آخر 30 يومًا.');

    const bad = await c.get('/staff/dashboard?from=2026-13-40', { sessionId: admin.sessionId });
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain('تعذّر قراءة التاريخين');
  });

  it('leaves no translation key untranslated in any language', async () => {
    const admin = await signedIn(c.staff, ['admin']);
    for (const lng of ['ar', 'en', 'ur']) {
      for (const path of ['/staff/login', '/staff/dashboard', '/staff/audit', '/staff/staff', '/staff/channels', '/staff/tasks']) {
        const res = await c.get(`${path}?lng=${lng}`, { sessionId: admin.sessionId });
        expect([lng, path, res.statusCode]).toEqual([lng, path, path === '/staff/login' ? 200 : 200]);
        expect([lng, path, RAW_KEY.exec(visibleText(res.body))?.[0] ?? null]).toEqual([lng, path, null]);
      }
    }
  });
});

describe('forms and CSRF', () => {
  it('creates an account only with the session’s token, in a field or (htmx) a header', async () => {
    const admin = await signedIn(c.staff, ['admin']);
    const page = await c.get('/staff/staff', { sessionId: admin.sessionId });
    const token = csrfFieldOf(page.body);
    expect(token).toBe(admin.csrfToken);
    const form = { email: 'new.agent@basirah.example', name: 'وكيل جديد', roles: ['agent', 'researcher'], password: 'Lantern river orchard 42' };

    expect((await c.post('/staff/staff', form, { sessionId: admin.sessionId })).statusCode).toBe(403);
    expect((await c.post('/staff/staff', { ...form, _csrf: 'forged' }, { sessionId: admin.sessionId })).statusCode).toBe(403);
    const foreign = await c.post('/staff/staff', { ...form, _csrf: token }, { sessionId: admin.sessionId, headers: { origin: 'https://evil.example' } });
    expect(foreign.statusCode).toBe(403);

    const created = await c.post('/staff/staff', { ...form, _csrf: token }, { sessionId: admin.sessionId });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/staff/staff?done=created');
    const list = await c.get('/staff/staff?done=created', { sessionId: admin.sessionId });
    expect(list.body).toContain('أُنشئ الحساب.');
    expect(list.body).toContain('وكيل جديد');

    const again = await c.post('/staff/staff', { ...form, name: 'Other' }, { sessionId: admin.sessionId, headers: { 'x-csrf-token': token } });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('يوجد حساب بهذا البريد الإلكتروني.');

    const weak = await c.post('/staff/staff', { ...form, email: 'weak@basirah.example', password: 'password1234', _csrf: token }, { sessionId: admin.sessionId });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('كلمة المرور شائعة');
    expect(weak.body).not.toContain('password1234');
  });

  it('disables an account and ends sessions, both audited and visible in the audit page', async () => {
    const admin = await signedIn(c.staff, ['admin']);
    const agent = await signedIn(c.staff, ['agent']);
    const id = agent.account.id;
    const ended = await c.post(`/staff/staff/${id}/sessions/end`, { _csrf: admin.csrfToken }, { sessionId: admin.sessionId });
    expect(ended.headers.location).toBe('/staff/staff?done=sessions-ended');
    expect((await c.get('/staff/dashboard', { sessionId: agent.sessionId })).statusCode).toBe(303);
    const disabled = await c.post(`/staff/staff/${id}/disable`, { _csrf: admin.csrfToken }, { sessionId: admin.sessionId });
    expect(disabled.headers.location).toBe('/staff/staff?done=disabled');
    const self = await c.post(`/staff/staff/${admin.account.id}/disable`, { _csrf: admin.csrfToken }, { sessionId: admin.sessionId });
    expect(self.statusCode).toBe(409);

    const audit = await c.get('/staff/audit?action=account-disabled', { sessionId: admin.sessionId });
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('تعطيل حساب');
    expect(audit.body).not.toContain('<td>تسجيل دخول</td>');
    const byActor = await c.get(`/staff/audit?actor=${admin.account.id}&from=2026-11-01&to=2026-11-30`, { sessionId: admin.sessionId });
    expect(byActor.body).toContain('<td>إنهاء الجلسات</td>');
    const bad = await c.get('/staff/audit?from=yesterday', { sessionId: admin.sessionId });
    expect(bad.body).toContain('تعذّر قراءة عوامل التصفية');
  });

  it('pages the audit log 50 entries at a time', async () => {
    const admin = await signedIn(c.staff, ['admin']);
    for (let i = 0; i < 55; i += 1) await c.staff.context.audit.append({ at: new Date(Date.UTC(2026, 9, 1, 0, i)), action: 'logout', actorId: admin.account.id, targetId: admin.account.id, via: 'api', ip: '10.0.0.1' });
    const first = await c.get('/staff/audit?action=logout', { sessionId: admin.sessionId });
    expect((first.body.match(/<td>تسجيل خروج<\/td>/g) ?? []).length).toBe(50);
    expect(first.body).toContain('href="/staff/audit?action=logout&amp;page=2"');
    const second = await c.get('/staff/audit?action=logout&page=2', { sessionId: admin.sessionId });
    expect((second.body.match(/<td>تسجيل خروج<\/td>/g) ?? []).length).toBe(5);
  });

  it('logs out through the form and ends the session', async () => {
    const agent = await signedIn(c.staff, ['agent']);
    expect((await c.post('/staff/logout', {}, { sessionId: agent.sessionId })).statusCode).toBe(403);
    const out = await c.post('/staff/logout', { _csrf: agent.csrfToken }, { sessionId: agent.sessionId });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/staff/login');
    expect((await c.get('/staff/dashboard', { sessionId: agent.sessionId })).headers.location).toBe('/staff/login?next=%2Fstaff%2Fdashboard');
  });
});

describe('channels and assets', () => {
  it('shows admins the channel states and the pending WhatsApp QR code as an image', async () => {
    const admin = await signedIn(c.staff, ['admin']);
    const page = await c.get('/staff/channels', { sessionId: admin.sessionId });
    expect(page.body).toContain('محادثة الموقع');
    expect(page.body).toContain('ينتظر مسح رمز الربط.');
    expect(page.body).toMatch(/<img class="qr" src="\/staff\/channels\/whatsapp-qr\.png\?v=[\w-]+"/);
    const png = await c.get('/staff/channels/whatsapp-qr.png', { sessionId: admin.sessionId });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['cache-control']).toBe('no-store');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    c.channels.link = { state: 'ready', qr: null };
    const linked = await c.get('/staff/channels', { sessionId: admin.sessionId });
    expect(linked.body).not.toContain('<img');
    expect((await c.get('/staff/channels/whatsapp-qr.png', { sessionId: admin.sessionId })).statusCode).toBe(404);
  });

  it('serves its files under hashed URLs, cached for a year', async () => {
    const page = await c.get('/staff/login');
    const css = /href="(\/staff\/assets\/console\.[\w-]+\.css)"/.exec(page.body)?.[1];
    expect(css).toBeDefined();
    const res = await c.get(css as string);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toContain('text/css');
  });
});
