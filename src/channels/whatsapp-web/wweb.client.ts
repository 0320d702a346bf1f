import { join } from 'node:path';
import { Client, LocalAuth } from 'whatsapp-web.js';
import type { WhatsAppClientLike } from './wweb.port';

/**
 * The only file that imports whatsapp-web.js (an unofficial client that drives WhatsApp Web in a
 * headless Chromium). Everything else talks to the {@link WhatsAppClientLike} port.
 */

/** Sub-folder of the data directory where LocalAuth keeps the linked-device session. */
export const SESSION_FOLDER = 'whatsapp-session';

/**
 * Flags for Chromium in a container: no sandbox (no user namespaces there), /tmp instead of a
 * small /dev/shm, and no background traffic (component updates, field trials) besides WhatsApp.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'];

export interface WwebClientOptions {
  /** The system Chromium; puppeteer's own download is disabled (.puppeteerrc.cjs). */
  chromiumPath: string;
  dataDir: string;
}

/**
 * Builds (without starting) a client whose session survives restarts in `<dataDir>/whatsapp-session`,
 * so the QR code is scanned once, not at every deploy.
 */
export function createWwebClient(options: WwebClientOptions): WhatsAppClientLike {
  return new Client({
    authStrategy: new LocalAuth({ dataPath: join(options.dataDir, SESSION_FOLDER) }),
    puppeteer: { executablePath: options.chromiumPath, headless: true, args: CHROMIUM_ARGS },
  });
}
