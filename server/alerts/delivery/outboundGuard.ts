/**
 * Keeps alert deliveries from being a way into the network Scrapedeck runs in: a webhook or Slack
 * URL is written by an admin, but resolved and connected to by the server. Refuses loopback,
 * private, shared (CGNAT), link-local (cloud metadata included), unique-local and other
 * special-purpose addresses (also when carried inside an IPv6 address a NAT64 or 6to4
 * gateway would connect to), checked on the address the socket is about to connect to (inside its
 * lookup), so that a name cannot resolve to a public address when checked and to a private one
 * when connected (DNS rebinding).
 */
import dns from 'node:dns';
import net from 'node:net';

/** Ranges no alert may be sent to (unless private targets are allowed). */
const FORBIDDEN = (() => {
  const list = new net.BlockList();
  const v4: Array<[string, number]> = [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, where cloud metadata services answer (169.254.169.254)
    ['172.16.0.0', 12],
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.168.0.0', 16],
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, and the broadcast address
  ];
  for (const [address, prefix] of v4) list.addSubnet(address, prefix, 'ipv4');
  const v6: Array<[string, number]> = [
    ['::', 128], // unspecified
    ['::1', 128],
    ['fc00::', 7], // unique-local
    ['fe80::', 10], // link-local
    ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
    ['ff00::', 8], // multicast
  ];
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6');
  return list;
})();

/**
 * The IPv4 address an IPv6 address carries where the network connects to that IPv4 address:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48, whose last 32 bits a gateway connects to)
 * and 6to4 (2002:AABB:CCDD::/48). null for any other address.
 */
function embeddedIpv4(address: string): string | null {
  const words = ipv6Words(address);
  if (!words) return null;
  const dotted = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  // ::/96 but not :: and ::1, which the list names themselves.
  if (zero(0, 6) && (words[6] !== 0 || words[7]! > 1)) return dotted(words[6]!, words[7]!);
  if (zero(0, 5) && words[5] === 0xffff) return dotted(words[6]!, words[7]!);
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return dotted(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && (words[2] === 1 || zero(2, 6))) return dotted(words[6]!, words[7]!);
  if (words[0] === 0x2002) return dotted(words[1]!, words[2]!);
  return null;
}

/** An IPv6 address as its eight 16-bit words (a trailing dotted IPv4 part included); null when it is none. */
function ipv6Words(address: string): number[] | null {
  if (net.isIPv6(address) === false) return null;
  let text = address.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const front = part(head);
  const back = part(rest);
  const words = rest === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return words.length === 8 ? words : null;
}

/** Whether an IP address is one an alert must not be sent to. Anything that is not an IP address is. */
export function isForbiddenAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '').split('%', 1)[0]!;
  const family = net.isIP(plain);
  if (family === 0) return true;
  if (family === 4) return FORBIDDEN.check(plain, 'ipv4');
  const carried = embeddedIpv4(plain);
  if (carried !== null && FORBIDDEN.check(carried, 'ipv4')) return true;
  return FORBIDDEN.check(plain, 'ipv6');
}

/** Why a delivery was not even attempted: the message names the address, never the URL (which may hold a secret). */
export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves as dns.lookup does and refuses the connection when
 * any address the name resolves to is forbidden: the socket connects to what was checked.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const forbidden = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (forbidden) {
      return callback(Object.assign(new OutboundRefusedError(`refused: the host resolves to ${forbidden.address}, a private, loopback or link-local address`), { code: 'EREFUSEDTARGET' }), '');
    }
    if (addresses.length === 0) return callback(Object.assign(new Error('the host resolves to no address'), { code: 'ENOTFOUND' }), '');
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * The text-level checks made before any connection: the scheme, and an IP literal host (Node
 * connects to a literal without calling lookup, so it is checked here). Throws OutboundRefusedError.
 */
export function checkTarget(url: URL, allowPrivateTargets: boolean): void {
  if (allowPrivateTargets) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefusedError(`refused: ${url.protocol} is not http or https`);
    return;
  }
  if (url.protocol !== 'https:') throw new OutboundRefusedError('refused: only https targets are allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && isForbiddenAddress(host)) throw new OutboundRefusedError(`refused: ${host} is a private, loopback or link-local address`);
}
