import { SessionSigner } from '../../src/channels/web/web.session';

describe('web session cookie', () => {
  const signer = new SessionSigner('x'.repeat(40));

  it('accepts only the canonical spelling of the MAC (no malleable last character)', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = signer.newId();
      const value = signer.sign(id);
      expect(signer.verify(value)).toBe(id);
      const last = value.at(-1) as string;
      for (const other of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
        if (other !== last) expect(signer.verify(`${value.slice(0, -1)}${other}`)).toBeNull();
      }
    }
  });
});
