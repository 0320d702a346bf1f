import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_FLOOD_LIMITS, InProcessWebFloodGuard } from '../../src/channels/web/web.flood';
import { createWebChatModule } from '../../src/channels/web/web.module';
import { SessionSigner } from '../../src/channels/web/web.session';
import { buildApp } from '../../src/http/app';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { t } from '../support/engine-setup';
import { startWebChat, type WebChatRun } from '../support/web-chat';
import { Peer } from '../support/web-peer';

/**
 * The gateway's own refusals reach the visitor end to end: with the edge's limits set above the
 * gateway's (about 20 messages a minute per sender), a burst over a web socket is partly refused
 * by the gateway itself. The refused messages get error frames with the reason and the wait and
 * are not stored; the visitor gets one slow-down notice in their language.
 */

const SECRET = randomBytes(32).toString('base64');
let chat: WebChatRun;
let app: FastifyInstance;
let host: string;

beforeAll(async () => {
  chat = await startWebChat('webgw', SECRET);
  // The same pipeline, served by a web module whose edge limits let the whole burst through.
  const web = createWebChatModule({
    sink: chat.tp.pipeline.gateway,
    translator: I18nTranslator.load(LOCALES_DIR),
    logger: createLogger('silent'),
    sessionSecret: SECRET,
    history: (ref, limit) => chat.tp.pipeline.log.history(ref, limit),
    live: chat.live,
    secureCookies: false,
    flood: new InProcessWebFloodGuard({ ...DEFAULT_FLOOD_LIMITS, sessionMessages: { limit: 100, windowMs: 60_000 } }),
  });
  app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [web.httpPlugin], logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  host = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await chat?.close();
});

it('shows the gateway refusing part of a burst: error frames with reason and wait, nothing stored for them, one slow-down notice', async () => {
  const signer = new SessionSigner(SECRET);
  const id = signer.newId();
  const peer = await Peer.open(host, { cookie: `basirah_sid=${signer.sign(id)}`, origin: `http://${host}` });
  await peer.next('ready');
  const ids = Array.from({ length: 24 }, () => randomUUID());
  for (const clientId of ids) peer.send({ type: 'message', clientId, text: 'hello there', lng: 'en' });
  const answers = await Promise.all(ids.map((clientId) => peer.answerTo(clientId)));

  const refused = answers.filter((a) => a.type === 'error');
  const accepted = answers.filter((a) => a.type === 'ack');
  expect(accepted.length + refused.length).toBe(24);
  expect(accepted.length).toBeGreaterThan(0);
  // Fewer than 25 frames: the socket's own queue cap does not step in; the gateway lets about 20 a minute through.
  expect(refused.length).toBeGreaterThanOrEqual(4);
  for (const frame of refused) {
    expect(['too_fast', 'backlog']).toContain(frame.code);
    expect(frame.retryAfterMs).toBeGreaterThan(0);
  }
  // Refused messages were not stored: the history holds only the accepted ones.
  const history = await chat.tp.pipeline.log.history({ channel: 'web', account: 'site', sender: id }, 100);
  expect(history.filter((m) => m.direction === 'in')).toHaveLength(accepted.length);
  await peer.next('reply', (r) => r.text === t('en', 'answers.slow_down'));
  peer.socket.close();
}, 60_000);
