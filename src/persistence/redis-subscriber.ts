/**
 * A connection that will subscribe sends no handshake command: ioredis 5 writes a SUBSCRIBE issued
 * while it connects before its own INFO (ready check) and CLIENT SETINFO, then refuses those in
 * subscriber mode and drops the connection (ioredis issue #2037). Subscribing right after start-up
 * failed that way in 50 of 50 trials, and a web chat opened then was closed as unavailable.
 */
export const SUBSCRIBER_OPTIONS = { enableReadyCheck: false, disableClientInfo: true } as const;
