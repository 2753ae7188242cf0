/**
 * Small pieces every HTTP route of the server shares: JSON answers, error answers (ApiError's
 * `{error, reason}`, wire/lab-api.ts), the Bearer token, and the 405 answer that names the methods
 * a route takes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../wire/api-error.ts';

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The error answer for `err`: its status, and `{error, reason}`. */
export function sendError(res: ServerResponse, err: ApiError): void {
  json(res, err.status, err.body);
}

/** An unknown lab and a wrong token get the same answer, so lab ids cannot be probed. */
export const noLab = () => new ApiError(404, 'no-lab', 'No such lab, or the token is wrong.');

/** After a failure a route did not expect: the lab has ended meanwhile (its sandbox is gone). */
export const labEnded = () => new ApiError(404, 'no-lab', 'The lab has ended.');

export const noRoute = (method: string | undefined, path: string) => new ApiError(404, 'not-found', `No API route ${method} ${path}.`);

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : null;
}

/** 405 with an `Allow` header; the request body (if any) is drained. */
export function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string, what: string): void {
  req.resume();
  res.setHeader('Allow', allow);
  sendError(res, new ApiError(405, 'method', `${req.method} is not allowed on ${what}; use ${allow}.`));
}
