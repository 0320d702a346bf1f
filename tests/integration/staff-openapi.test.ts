import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { STAFF_ROLES, type StaffRole } from '../../src/staff/roles';
import type { OpenApiDocument } from '../../src/staff/openapi';
import { STAFF_COOKIE } from '../../src/staff/staff.guard';
import { staffPlugin } from '../../src/staff/staff.plugin';
import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';

/**
 * Walks every route of the generated OpenAPI document: without a session each answers 401, and
 * with a session of each role the route does not admit, 403 — with a valid CSRF token, so it is
 * the role check that refuses. The app here also records every route fastify registers, to prove
 * the document leaves none out.
 */
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
