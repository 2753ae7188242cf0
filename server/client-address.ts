/**
 * Who a request comes from, for the per-client lab cap (MAX_LABS_PER_CLIENT). Directly it is the
 * connection's address. Behind TRUST_PROXY reverse proxies (nginx, Caddy, a load balancer) every
 * connection comes from the nearest proxy, so the learner's address is read from X-Forwarded-For:
 * the entry TRUST_PROXY places from its end, the one the outermost trusted proxy saw. Entries to
 * its left were written by the client and are never believed.
 */
import type { IncomingMessage } from 'node:http';

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
