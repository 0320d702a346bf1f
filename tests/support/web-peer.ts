import WebSocket from 'ws';
import type { ServerMessage } from '../../src/channels/web/web.protocol';
import { eventually } from './pipeline';

/** A web chat WebSocket peer that keeps every frame and waits for the next one matching a test. */
export class Peer {
  private readonly frames: ServerMessage[] = [];
  /** Resolves with the close code and reason when the server (or the test) closes the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as ServerMessage));
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens `ws://<host>/ws`; rejects with `HTTP <status>` when the handshake is refused. */
  static open(host: string, headers: Record<string, string>): Promise<Peer> {
    const socket = new WebSocket(`ws://${host}/ws`, { headers });
    const peer = new Peer(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(peer));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The server's answer to one message: its ack, or the error frame naming it. */
  async answerTo(clientId: string): Promise<Extract<ServerMessage, { type: 'ack' | 'error' }>> {
    return eventually(() => {
      const index = this.frames.findIndex((m) => (m.type === 'ack' || m.type === 'error') && m.clientId === clientId);
      return index < 0 ? undefined : (this.frames.splice(index, 1)[0] as Extract<ServerMessage, { type: 'ack' | 'error' }>);
    }, 15_000, 'an answer');
  }

  /** Removes and returns the first frame matching `test`, waiting for it. */
  async next<T extends ServerMessage['type']>(type: T, test: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<ServerMessage, { type: T }>> {
    return eventually(() => {
      const index = this.frames.findIndex((m) => m.type === type && test(m as Extract<ServerMessage, { type: T }>));
      return index < 0 ? undefined : (this.frames.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>);
    }, 15_000, `a ${type} frame`);
  }
}
