/**
 * Small pieces every HTTP route of the server shares: JSON answers, the Bearer token, and the
 * 405 answer that names the methods a route takes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : null;
}

/** 405 with an `Allow` header; the request body (if any) is drained. */
export function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string, what: string): void {
  req.resume();
  res.setHeader('Allow', allow);
  json(res, 405, { error: `${req.method} is not allowed on ${what}; use ${allow}.`, reason: 'method' });
}

/** An answer for the HTTP client: a status, a stable `reason` code, and a sentence for a person. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}
