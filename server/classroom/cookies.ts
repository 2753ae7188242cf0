/**
 * The classroom's cookies: names and attributes in one place, for Astro pages (Astro.cookies) and
 * for the lab server's raw requests (the exercise routes read who is checking).
 *
 * All are HttpOnly (page scripts never need them) and SameSite=Lax (a link from a mail or a chat
 * still arrives signed in; a cross-site POST does not carry them). They are Secure when the site's
 * public address is https (PUBLIC_URL), as it is behind a TLS proxy.
 */
import { parseCookie } from 'cookie';

export const COOKIES = {
  /** An instructor's (or student account's) session. */
  session: 'socketlab_session',
  /** A student's device token: keeps a student without an account in their classes. */
  learner: 'socketlab_learner',
  /** The CSRF token of forms shown before signing in (sign-in, sign-up, join, reset). */
  csrf: 'socketlab_csrf',
} as const;

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: '/';
  maxAge: number;
}

export function cookieOptions(secure: boolean, maxAgeSeconds: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeSeconds };
}

/** A device token lives a year: a course, and the one after. */
export const LEARNER_COOKIE_SECONDS = 365 * 24 * 60 * 60;

/** The classroom cookies of a raw `Cookie:` header. */
export function readCookies(header: string | undefined): { session?: string; learner?: string } {
  const all = parseCookie(header ?? '');
  return { session: all[COOKIES.session], learner: all[COOKIES.learner] };
}
