import { addressKey } from '../../src/channels/web/web.flood';

describe('the address web limits count', () => {
  it('keeps IPv4 as it is, also when written IPv4-mapped', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts IPv6 by its /64, so one visitor cannot take a fresh allowance from every address of their network', () => {
    const a = addressKey('2001:db8:abcd:12:1111:2222:3333:4444');
    expect(a).toBe('2001:db8:abcd:12::/64');
    expect(addressKey('2001:0db8:abcd:0012::9')).toBe(a);
    expect(addressKey('2001:db8:abcd:12::1%eth0')).toBe(a);
    expect(addressKey('2001:db8:abcd:13::1')).not.toBe(a);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
