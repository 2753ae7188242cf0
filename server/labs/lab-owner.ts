/**
 * Which browser started a lab, without its token: at its first lab start a browser gets a random
 * owner cookie (HttpOnly, SameSite=Strict, only sent to /api/labs), and each lab keeps the
 * cookie's hash. With it a browser lists its labs and ends them (GET /api/labs, DELETE
 * /api/labs/:labId) after it lost their tokens: the tab that started them was closed, or another
 * tab holds them. Anyone else behind the same school address has their own cookie, so nobody can
 * list or end a classmate's labs (docs/protocol.md, "Your labs").
 */
import type { IncomingMessage } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { hashToken, newToken } from '../classroom/tokens.ts';

export const OWNER_COOKIE = 'socketlab_labs';
/** A week: longer than any lab lives, so one browser keeps one owner across its labs. */
const OWNER_COOKIE_SECONDS = 7 * 24 * 60 * 60;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The hash of the request's owner cookie, or null when it has none (or not one we made). */
export function labOwner(req: IncomingMessage): string | null {
  const token = parseCookie(req.headers.cookie ?? '')[OWNER_COOKIE];
  return token && TOKEN.test(token) ? hashToken(token) : null;
}

/** The request's owner, giving the browser a new owner cookie (`Set-Cookie`) when it has none. */
export function ensureLabOwner(req: IncomingMessage, setCookie: (value: string) => void, secure: boolean): string {
  const known = labOwner(req);
  if (known) return known;
  const token = newToken();
  setCookie(stringifySetCookie({ name: OWNER_COOKIE, value: token, httpOnly: true, sameSite: 'strict', secure, path: '/api/labs', maxAge: OWNER_COOKIE_SECONDS }));
  return hashToken(token);
}
