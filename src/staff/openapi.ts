import { STAFF_COOKIE, CSRF_HEADER, type RouteAccess } from './staff.guard';

/**
 * The staff API's OpenAPI 3.0 document, generated from the routes as registered: the staff
 * plugin records every route's method, URL, JSON schemas and access rule (an `onRoute` hook, so
 * no route can be left out), and this module turns them into the document served at
 * /staff/api/openapi.json. Each operation names the roles it admits in `x-roles`; the log-in
 * route carries `x-public: true`. Written by hand instead of with @fastify/swagger, which the
 * project does not depend on: the mapping is short and the document stays exactly what we check.
 */
export interface DocumentedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown> | undefined;
  access: RouteAccess;
}

type JsonSchema = Record<string, unknown>;

export interface OpenApiOperation {
  summary?: string;
  'x-roles': string[];
  'x-public'?: true;
  security: Array<Record<string, string[]>>;
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
}

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, JsonSchema> };
}

export function openApiDocument(routes: readonly DocumentedRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Basirah staff console API',
      version,
      description:
        'Every route except log-in needs the session cookie; state-changing routes also need the x-csrf-token header returned by log-in. ' +
        'Errors are JSON {error, message}: `error` is a stable code, `message` English text.',
    },
    paths,
    components: {
      securitySchemes: {
        staffSession: { type: 'apiKey', in: 'cookie', name: STAFF_COOKIE },
        csrfToken: { type: 'apiKey', in: 'header', name: CSRF_HEADER },
      },
    },
  };
}

function operationOf(route: DocumentedRoute): OpenApiOperation {
  const schema = route.schema ?? {};
  const isPublic = 'public' in route.access;
  const changesState = !['GET', 'HEAD'].includes(route.method);
  const operation: OpenApiOperation = {
    ...(typeof schema.summary === 'string' ? { summary: schema.summary } : {}),
    'x-roles': isPublic ? [] : [...(route.access as { roles: readonly string[] }).roles],
    ...(isPublic ? { 'x-public': true as const } : {}),
    security: isPublic ? [] : [changesState ? { staffSession: [], csrfToken: [] } : { staffSession: [] }],
    responses: responsesOf(schema.response as Record<string, JsonSchema> | undefined),
  };
  const parameters = [...parametersOf(schema.params, 'path'), ...parametersOf(schema.querystring, 'query')];
  if (parameters.length > 0) operation.parameters = parameters;
  if (schema.body) operation.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
  return operation;
}

function parametersOf(schema: unknown, where: 'path' | 'query'): JsonSchema[] {
  const object = schema as { properties?: Record<string, JsonSchema>; required?: string[] } | undefined;
  return Object.entries(object?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object?.required ?? []).includes(name),
    schema: property,
  }));
}

function responsesOf(response: Record<string, JsonSchema> | undefined): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [status, schema] of Object.entries(response ?? {})) {
    out[status] = status === '204' ? { description: 'No content' } : { description: descriptionOf(status), content: { 'application/json': { schema } } };
  }
  return out;
}

function descriptionOf(status: string): string {
  const known: Record<string, string> = {
    '200': 'OK',
    '201': 'Created',
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
