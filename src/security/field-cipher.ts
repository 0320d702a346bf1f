import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An encrypted value as stored: key id, IV, auth tag and ciphertext, each base64. */
export interface SealedValue {
  k: string;
  iv: string;
  tag: string;
  ct: string;
}

export class CryptoError extends Error {
  readonly code = 'CRYPTO_FAILED';
}

/**
 * AES-256-GCM encryption of single fields (national IDs, phone numbers, names) plus keyed
 * HMAC-SHA256 digests used to look records up without decrypting them.
 * The first key encrypts; every key decrypts, so keys can be rotated without re-encrypting at once.
 */
export class FieldCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly activeId: string;

  constructor(keys: ReadonlyArray<{ id: string; key: Buffer }>, private readonly hmacKey: Buffer) {
    const first = keys[0];
    if (!first) throw new CryptoError('at least one encryption key is required');
    for (const k of keys) if (k.key.length !== 32) throw new CryptoError(`key ${k.id} is not 32 bytes`);
    if (hmacKey.length !== 32) throw new CryptoError('HMAC key is not 32 bytes');
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.activeId = first.id;
  }

  /** Parses `id:base64[,id:base64…]` as given in DATA_ENCRYPTION_KEYS. */
  static fromStrings(keyList: string, hmacKeyB64: string): FieldCipher {
    const keys = keyList.split(',').map((entry) => {
      const [id, b64] = entry.trim().split(':');
      if (!id || !b64) throw new CryptoError('malformed key list');
      return { id, key: Buffer.from(b64, 'base64') };
    });
    return new FieldCipher(keys, Buffer.from(hmacKeyB64, 'base64'));
  }

  seal(plain: string): SealedValue {
    const key = this.keys.get(this.activeId) as Buffer; // present: checked in the constructor
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { k: this.activeId, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  }

  open(sealed: SealedValue): string {
    const key = this.keys.get(sealed.k);
    if (!key) throw new CryptoError(`unknown key id ${sealed.k}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CryptoError('decryption failed (wrong key or tampered data)');
    }
  }

  /** Deterministic digest for equality lookups; `purpose` separates domains (an ID digest never equals a phone digest). */
  digest(purpose: string, value: string): string {
    return createHmac('sha256', this.hmacKey).update(`${purpose}\u0000${value}`).digest('base64url');
  }

  /** Constant-time string comparison for secrets typed by users (e.g. last 4 digits). */
  static safeEqual(a: string, b: string): boolean {
    const ab = Buffer.from(a);
    const bb = Buffer.from(b);
    return ab.length === bb.length && timingSafeEqual(ab, bb);
  }
}
