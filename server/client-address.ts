/**
 * Who a request comes from, for the per-client lab cap (MAX_LABS_PER_CLIENT) and the classroom's
 * per-address limits. Directly it is the connection's address. Behind reverse proxies (nginx,
 * Caddy, a load balancer) every connection comes from the nearest proxy, so the learner's address
 * is read from X-Forwarded-For, which each proxy extends with the address it saw. Anyone can send
 * that header, so it is believed only from the proxies the operator listed (TRUSTED_PROXIES), and
 * only as far as they wrote it: walking from its right end, each hop a trusted proxy appended is
 * skipped, and the first hop that is not a trusted proxy is the client. Entries to its left were
 * written by the client and are never believed.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP, isIPv6 } from 'node:net';

/** One TRUSTED_PROXIES entry: an address, or a network in CIDR form (10.0.0.0/8, fd00::/8). */
export function parseProxyEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The addresses whose X-Forwarded-For is believed, from entries parseProxyEntry accepts (config.ts checked them). */
export function trustedProxies(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseProxyEntry(entry);
    if (!parsed) throw new Error(`not an address or CIDR network: ${entry}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) matches the IPv4 entries too. */
function isTrusted(address: string, trusted: BlockList): boolean {
  const version = isIP(address);
  return version !== 0 && trusted.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

export function clientAddress(req: IncomingMessage, trusted: BlockList): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (!isTrusted(address, trusted)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    // Not an address (or no header at all): the chain cannot be followed further; the last proxy is who we know.
    if (isIP(hops[i]!) === 0) break;
    address = hops[i]!;
    if (!isTrusted(address, trusted)) break;
  }
  return address;
}

/**
 * Who counts as one client for the per-client lab cap: an IPv4 address, or an IPv6 /64. One IPv6
 * host or home network is usually given a whole /64, 2^64 addresses: counted one by one, a single
 * client could hold every lab slot. An IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
