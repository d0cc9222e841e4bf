import { describe, expect, it } from 'vitest';
import { checkTarget, isForbiddenAddress } from '../../server/alerts/delivery/outboundGuard.ts';

describe('forbidden alert targets', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.10',
    '100.64.0.1',
    '100.127.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '[::1]',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '[2001:4860:4860::8888]'])(
    'allows the public address %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it('holds targets to https and public address literals unless private targets are allowed', () => {
    expect(() => checkTarget(new URL('https://hooks.example.test/x'), false)).not.toThrow();
    expect(() => checkTarget(new URL('http://hooks.example.test/x'), false)).toThrow('only https');
    expect(() => checkTarget(new URL('https://0x7f.1/x'), false)).toThrow('127.0.0.1');
    expect(() => checkTarget(new URL('https://[::ffff:169.254.169.254]/x'), false)).toThrow('refused');
    expect(() => checkTarget(new URL('http://127.0.0.1:8080/x'), true)).not.toThrow();
    expect(() => checkTarget(new URL('ftp://127.0.0.1/x'), true)).toThrow('not http or https');
  });
});

describe('IPv4 addresses carried inside IPv6 ones', () => {
  // A NAT64 gateway (64:ff9b::/96, 64:ff9b:1::/48), a 6to4 relay (2002::/16) or an old stack
  // (IPv4-compatible ::/96, IPv4-translated ::ffff:0:0:0/96) connects to the IPv4 address inside:
  // that address is what must be public.
  it.each([
    '::7f00:1',
    '::127.0.0.1',
    '::a9fe:a9fe',
    '::ffff:0:7f00:1',
    '::ffff:0:a00:1',
    '64:ff9b::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::10.1.2.3',
    '64:ff9b:1::c0a8:101',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '2002:c0a8:0101:1::1',
    'fec0::1',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['64:ff9b::5db8:d822', '64:ff9b::8.8.8.8', '2002:5db8:d822::1', '::ffff:0:808:808'])('allows %s, which carries a public address', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('refuses such literals in a target URL', () => {
    expect(() => checkTarget(new URL('https://[::127.0.0.1]/x'), false)).toThrow('refused');
    expect(() => checkTarget(new URL('https://[64:ff9b::169.254.169.254]/x'), false)).toThrow('refused');
  });
});
