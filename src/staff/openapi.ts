import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { accessOf, CSRF_HEADER, STAFF_COOKIE } from './staff.guard';

/**
 * The staff API's OpenAPI 3.0 document, built by @fastify/swagger (dynamic mode) from the routes
 * as registered. Registered inside the staff API's scope before its routes: the plugin is
 * fastify-plugin'd, so its `onRoute` hook belongs to that scope and sees only the staff API's
 * routes — not the console's pages or the app's web chat and webhooks, which live in sibling
 * scopes. The transform adds what the route schemas do not say: the roles each route admits
 * (`x-roles`, from `config.access`), `x-public: true` on log-in, and the security requirements.
 * No swagger UI: the document is for API clients, and the console's CSP allows no such page.
 */
export async function documentStaffApi(scope: FastifyInstance, version: string): Promise<void> {
  await scope.register(fastifySwagger, {
    mode: 'dynamic',
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Basirah staff console API',
        version,
        description:
          'Every route except log-in needs the session cookie; state-changing routes also need the x-csrf-token header returned by log-in. ' +
          'Errors are JSON {error, message}: `error` is a stable code, `message` English text.',
      },
      components: {
        securitySchemes: {
          staffSession: { type: 'apiKey', in: 'cookie', name: STAFF_COOKIE },
          csrfToken: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
        },
      },
    },
    transform: staffOperation,
  });
}

/**
 * A route's schema as the document shows it (the route's own schema is left as it is: fastify
 * validates and serializes with it). @fastify/swagger copies `x-` keys and `security` of the
 * schema into the operation, and takes a response's description from `x-response-description`.
 */
const staffOperation: SwaggerTransform = ({ schema, url, route }) => {
  const access = accessOf(route.config);
  // The staff plugin refuses a route without config.access before this runs; this only narrows.
  if (!access) throw new Error(`staff route ${String(route.method)} ${url} declares no config.access`);
  const own: Record<string, unknown> = { ...(schema as Record<string, unknown> | undefined) };
  const isPublic = 'public' in access;
  const changesState = [route.method].flat().some((method) => !['GET', 'HEAD'].includes(method));
  const documented: Record<string, unknown> = {
    ...own,
    'x-roles': isPublic ? [] : [...access.roles],
    ...(isPublic ? { 'x-public': true } : {}),
    security: isPublic ? [] : [changesState ? { staffSession: [], csrfToken: [] } : { staffSession: [] }],
    ...(own.response ? { response: described(own.response as Record<string, Record<string, unknown>>) } : {}),
  };
  return { schema: documented as FastifySchema, url };
};

function described(response: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(response).map(([status, schema]) => [status, { ...schema, 'x-response-description': descriptionOf(status) }]));
}

function descriptionOf(status: string): string {
  const known: Record<string, string> = {
    '200': 'OK',
    '201': 'Created',
    '204': 'No content',
    '400': 'Invalid request',
    '401': 'No valid session (or wrong credentials at log-in)',
    '403': 'Wrong role, missing or wrong CSRF token, or another origin',
    '404': 'Not found',
    '409': 'Conflict',
    '429': 'Locked out after failed log-ins',
    '503': 'Too many log-ins at once; try again shortly',
  };
  return known[status] ?? 'Response';
}
