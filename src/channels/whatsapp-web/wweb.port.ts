/**
 * The slice of whatsapp-web.js's `Client` this channel uses, as a structural type, so the
 * module and the tests depend on a port and only wweb.client.ts imports the library.
 * Event payloads are typed `unknown` on purpose: they come from a scraped web page and are
 * parsed with a schema where they arrive (see wweb.codec.ts and wweb.connection.ts).
 */

/** Public event names of whatsapp-web.js's Client (its `Events` enum values) that we listen to. */
export const WWEB_EVENTS = {
  qr: 'qr',
  authenticated: 'authenticated',
  authFailure: 'auth_failure',
  ready: 'ready',
  /** Messages from others only; `message_create` would also fire for our own replies (double replies). */
  message: 'message',
  disconnected: 'disconnected',
  changeState: 'change_state',
} as const;

export type WwebEventName = (typeof WWEB_EVENTS)[keyof typeof WWEB_EVENTS];

/** The `disconnected` reason whatsapp-web.js gives when the phone unlinked this device. */
export const LOGOUT_REASON = 'LOGOUT';

/** A chat as returned by `getChatById`: only the typing indicator is used. */
export interface WhatsAppChatLike {
  sendStateTyping(): Promise<unknown>;
}

/** What `sendMessage` resolves to: the sent message, of which only the id is read. */
export interface SentMessageLike {
  id: { _serialized: string };
}

/** The live WhatsApp Web client (a real `Client` or the tests' fake). */
export interface WhatsAppClientLike {
  on(event: WwebEventName, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
  /** Launches the browser and opens WhatsApp Web; resolves once the page is set up (not when linked). */
  initialize(): Promise<void>;
  /** Closes the browser. */
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: string): Promise<SentMessageLike>;
  getChatById(chatId: string): Promise<WhatsAppChatLike>;
}
