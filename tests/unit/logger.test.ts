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
