import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

describe('logger redaction', () => {
  it('never writes national IDs, phone numbers, names or message text', async () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info({ msg: { text: 'رقمي 1000000008', sender: '+966501234567' }, nationalId: '1000000008', phone: '+966501234567' }, 'inbound');
    logger.info({ draft: { applicantName: 'فاطمة', description: 'تفاصيل' }, verifiedPhone: '+966551112233' }, 'draft');
    await new Promise((resolve) => setImmediate(resolve));
    const out = lines.join('');
    expect(out).toContain('inbound');
    for (const secret of ['1000000008', '+966501234567', '+966551112233', 'فاطمة', 'تفاصيل']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});

describe('request logs', () => {
  it('log the path of a request without its query string (a search by national ID would put it there)', async () => {
    const { Writable } = await import('node:stream');
    const { buildApp } = await import('../../src/http/app');
    const { createLogger } = await import('../../src/logging/logger');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [], logger: createLogger('trace', sink) });
    await app.inject({ url: '/health?reference=1000000776' });
    await app.close();
    const incoming = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string; remoteAddress?: string } }).find((l) => l.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ url: '/health', remoteAddress: '127.0.0.1' });
    expect(lines.join('')).not.toContain('1000000776');
  });
});
