/**
 * Where links the classroom hands out (join links, password reset links) may point. A request's
 * Host header is whatever the client wrote: a reset asked for with `Host: evil.example` must not
 * put a link to evil.example in the log for the operator to pass on. So links are built on
 * PUBLIC_URL; without it, only for someone on this machine who opened it as localhost (a single
 * machine's own use); otherwise on nothing, and the operator is told to set PUBLIC_URL.
 */

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x: an address on this machine. */
export function isLoopback(address: string): boolean {
  return /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address) || address === '::1';
}

const LOOPBACK_HOST = /^(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d{1,5})?$/i;

/** The origin links may be built on (no trailing slash), or null when there is none to trust. */
export function linkOrigin(request: { publicOrigin?: string | undefined; clientAddress?: string | undefined; url: URL }): string | null {
  if (request.publicOrigin) return request.publicOrigin;
  const local = request.clientAddress !== undefined && isLoopback(request.clientAddress) && LOOPBACK_HOST.test(request.url.host);
  return local ? request.url.origin : null;
}
