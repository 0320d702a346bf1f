import Fastify, { type FastifyInstance, type FastifyPluginAsync, type InjectOptions } from 'fastify';
import { buildApp } from '../../src/http/app';
import { STAFF_ROLES, type StaffRole } from '../../src/staff/roles';
import { CSRF_HEADER, STAFF_COOKIE } from '../../src/staff/staff.guard';
import { STAFF_API_VERSION, staffPlugin } from '../../src/staff/staff.plugin';
import { testConsolePages } from '../support/console';
import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';

/**
 * Walks every route of the OpenAPI document @fastify/swagger builds: without a session each
 * answers 401, and with a session of each role the route does not admit, 403 — with a valid CSRF
 * token, so it is the role check that refuses. The app here also records every route fastify
 * registers, to prove the document leaves none out; a second app, with the console's pages and
 * other routes around the staff API, proves it lists nothing else.
 */

/** What the test reads of the document: OpenAPI 3, with the staff API's extensions on each operation. */
interface StaffOperation {
  'x-roles': string[];
  'x-public'?: boolean;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, StaffOperation>>;
  components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
}
let h: StaffHarness;
let app: FastifyInstance;
const registered: string[] = [];
let doc: OpenApiDocument;
const sessions = new Map<StaffRole, { sessionId: string; csrfToken: string }>();

beforeAll(async () => {
  h = await startStaffHarness('staffwalk');
  app = Fastify({ logger: false });
  app.addHook('onRoute', (route) => {
    if (route.method !== 'HEAD') registered.push(`${String(route.method)} ${route.url}`);
  });
  await app.register(staffPlugin(h.context, { publicBaseUrl: undefined, reports: h.reports, cases: h.cases, handoffs: h.handoffs }));
  for (const role of STAFF_ROLES) sessions.set(role, await signedIn(h, [role]));
  const admin = sessions.get('admin');
  const response = await app.inject({ method: 'GET', url: '/staff/api/openapi.json', headers: { cookie: `${STAFF_COOKIE}=${admin?.sessionId}` } });
  expect(response.statusCode).toBe(200);
  doc = response.json() as OpenApiDocument;
});
afterAll(async () => {
  await app.close();
  await h.close();
});

interface Operation {
  method: string;
  path: string;
  url: string;
  roles: string[];
  isPublic: boolean;
}

function operations(): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      // A well-formed id that names nobody: the guard must answer before the handler looks.
      url: path.replace(/\{[^}]+\}/g, '0123456789abcdef01234567'),
      roles: op['x-roles'],
      isPublic: op['x-public'] === true,
    })),
  );
}

function request(op: Operation, session?: { sessionId: string; csrfToken: string }): Promise<{ statusCode: number; json(): unknown }> {
  const headers: Record<string, string> = {};
  if (session) {
    headers.cookie = `${STAFF_COOKIE}=${session.sessionId}`;
    headers['x-csrf-token'] = session.csrfToken;
  }
  return app.inject({ method: op.method as InjectOptions['method'], url: op.url, headers, ...(op.method === 'GET' ? {} : { payload: {} }) });
}

describe('staff API OpenAPI document', () => {
  it('is OpenAPI 3.0 and lists exactly the routes the staff plugin registers, each with its roles', () => {
    expect(doc.openapi).toBe('3.0.3');
    const documented = operations().map((op) => `${op.method} ${op.path.replace(/\{([^}]+)\}/g, ':$1')}`);
    expect(documented.sort()).toEqual([...registered].sort());
    expect(documented).toEqual(expect.arrayContaining(['POST /staff/api/login', 'GET /staff/api/audit', 'GET /staff/api/openapi.json']));
    expect(operations().filter((op) => op.isPublic).map((op) => op.path)).toEqual(['/staff/api/login']);
    for (const op of operations().filter((o) => !o.isPublic)) {
      expect([op.path, op.roles.length > 0]).toEqual([op.path, true]);
      expect(Object.keys(doc.paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('is a whole OpenAPI 3 document: info, security schemes, and on each operation its roles, security and responses', () => {
    expect(doc.openapi.startsWith('3.')).toBe(true);
    expect(doc.info).toEqual({ title: 'Basirah staff console API', version: STAFF_API_VERSION, description: expect.stringContaining('x-csrf-token') });
    expect(doc.components.securitySchemes).toEqual({
      staffSession: { type: 'apiKey', in: 'cookie', name: STAFF_COOKIE },
      csrfToken: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
    });
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect([path, /[:*]/.test(path)]).toEqual([path, false]);
      for (const [method, op] of Object.entries(methods)) {
        const isPublic = op['x-public'] === true;
        // Every state-changing route needs the CSRF header as well as the session; log-in needs neither.
        const security = isPublic ? [] : method === 'get' ? [{ staffSession: [] }] : [{ staffSession: [], csrfToken: [] }];
        expect([method, path, Array.isArray(op['x-roles']), op.security]).toEqual([method, path, true, security]);
        expect([method, path, op['x-roles'].every((role) => (STAFF_ROLES as readonly string[]).includes(role))]).toEqual([method, path, true]);
        for (const [status, response] of Object.entries(op.responses)) {
          expect([method, path, status, response.description === 'Default Response']).toEqual([method, path, status, false]);
        }
      }
    }
    expect(Object.keys(doc.paths).filter((path) => path.includes('{id}')).length).toBeGreaterThan(0);
    const login = doc.paths['/staff/api/login']?.post;
    expect(login?.['x-roles']).toEqual([]);
    expect(login?.responses['401']?.description).toBe('No valid session (or wrong credentials at log-in)');
    // The response schema of the document's own route must not strip what it does not list.
    expect(Object.keys(login?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(['email', 'password', 'totp']);
    expect(Object.keys(login?.responses['200']?.content?.['application/json']?.schema.properties ?? {})).toEqual(['csrfToken', 'staff']);
  });

  it('lists only the staff API: not the console pages, nor the routes the app registers around it', async () => {
    const outside =
      (prefix: string): FastifyPluginAsync =>
      async (scope) => {
        scope.get(`${prefix}/chat`, async () => ({ ok: true }));
        scope.post(`${prefix}/webhook`, async () => ({ ok: true }));
      };
    const around = await buildApp({
      logger: false,
      plugins: [outside('/web'), staffPlugin(h.context, { publicBaseUrl: undefined, reports: h.reports, cases: h.cases, handoffs: h.handoffs }), testConsolePages(h), outside('/webhooks')],
      ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
    });
    try {
      for (const url of ['/web/chat', '/webhooks/chat', '/health', '/staff/dashboard', '/staff/login']) {
        expect([url, around.hasRoute({ method: 'GET', url })]).toEqual([url, true]);
      }
      const response = await around.inject({ method: 'GET', url: '/staff/api/openapi.json', headers: { cookie: `${STAFF_COOKIE}=${sessions.get('agent')?.sessionId}` } });
      expect([response.statusCode, response.headers['cache-control']]).toEqual([200, 'no-store']);
      const paths = Object.keys((response.json() as OpenApiDocument).paths);
      expect(paths.filter((path) => !path.startsWith('/staff/api/'))).toEqual([]);
      expect(paths.sort()).toEqual(Object.keys(doc.paths).sort());
    } finally {
      await around.close();
    }
  });

  it('answers 401 on every non-public route without a session', async () => {
    for (const op of operations().filter((o) => !o.isPublic)) {
      const r = await request(op);
      expect([op.method, op.path, r.statusCode, r.json()]).toEqual([op.method, op.path, 401, expect.objectContaining({ error: 'not-authenticated' })]);
    }
  });

  it('guards the HEAD twins fastify adds to GET routes as well', async () => {
    for (const op of operations().filter((o) => o.method === 'GET')) {
      expect([op.path, (await app.inject({ method: 'HEAD', url: op.url })).statusCode]).toEqual([op.path, 401]);
    }
  });

  it('answers 403 on every route to each role it does not admit, and lets the roles it admits past the guard', async () => {
    let refusals = 0;
    for (const op of operations().filter((o) => !o.isPublic)) {
      for (const role of STAFF_ROLES) {
        // Log-out ends the session it is called with: each call gets a session of its own.
        const session = op.path.endsWith('/logout') ? await signedIn(h, [role]) : sessions.get(role);
        const r = await request(op, session);
        if (op.roles.includes(role)) {
          expect([op.method, op.path, role, r.statusCode === 401 || r.statusCode === 403]).toEqual([op.method, op.path, role, false]);
        } else {
          refusals += 1;
          expect([op.method, op.path, role, r.statusCode, r.json()]).toEqual([op.method, op.path, role, 403, expect.objectContaining({ error: 'forbidden-role' })]);
        }
      }
    }
    expect(refusals).toBeGreaterThanOrEqual(4 * 5);
  });
});
