/**
 * Who a request comes from, for the per-client lab cap (MAX_LABS_PER_CLIENT). Directly it is the
 * connection's address. Behind TRUST_PROXY reverse proxies (nginx, Caddy, a load balancer) every
 * connection comes from the nearest proxy, so the learner's address is read from X-Forwarded-For:
 * the entry TRUST_PROXY places from its end, the one the outermost trusted proxy saw. Entries to
 * its left were written by the client and are never believed.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export function clientAddress(req: IncomingMessage, trustProxy: number): string {
  const direct = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy <= 0) return direct;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // A request that skipped the proxies (or a proxy that sets no header) counts as its connection.
  if (hops.length === 0) return direct;
  return hops[Math.max(0, hops.length - trustProxy)]!;
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
