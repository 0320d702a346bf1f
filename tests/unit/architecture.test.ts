import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
}

/** Imports point inward: domain ← engine ← (channels, persistence, runtime, cli). */
const FORBIDDEN: Record<string, RegExp> = {
  domain: /^(mongoose|ioredis|bullmq|telegraf|whatsapp-web\.js|fastify|i18next|pino)$|\/(engine|persistence|channels|runtime|cli|infra|i18n)\//,
  engine: /^(mongoose|ioredis|bullmq|telegraf|whatsapp-web\.js|fastify|i18next|pino|mongodb)$|\/(persistence|channels|runtime|cli|infra|i18n)\//,
  nlu: /^(mongoose|ioredis|bullmq|telegraf|whatsapp-web\.js|fastify)$|\/(persistence|channels|runtime|cli|infra)\//,
};

describe('architecture', () => {
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    it(`src/${layer} imports no SDK, database or outer layer`, () => {
      const offenders = files(join(SRC, layer)).flatMap((f) => imports(f).filter((i) => forbidden.test(i)).map((i) => `${relative(SRC, f)} → ${i}`));
      expect(offenders).toEqual([]);
    });
  }

  it('only the config module reads variables from process.env (PATH look-ups and pass-through to child processes aside)', () => {
    const reads = /process\.env\.(?!PATH\b)[A-Za-z_]+|process\.env\[|=\s*process\.env\s*[;)]/;
    const readers = files(SRC)
      .filter((f) => reads.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(readers).toEqual(['config/config.ts']);
  });
});
