/**
 * What every on-demand classroom page and endpoint does first: reach the classroom, know who is
 * signed in, check the CSRF token of a form, read a form within its size limit. src/middleware.ts
 * fills `locals.user` and `locals.session`; these helpers read them.
 */
import type { APIContext } from 'astro';
import type { Classroom } from '../../server/classroom/classroom.ts';
import { ClassroomError, isClassroomError } from '../../server/classroom/classroom.ts';
import { COOKIES, LEARNER_COOKIE_SECONDS, cookieOptions } from '../../server/classroom/cookies.ts';
import { linkOrigin } from '../../server/classroom/links.ts';
import type { Learner, Session, User } from '../../server/classroom/store/types.ts';
import { newToken, sameSecret } from '../../server/classroom/tokens.ts';

type Context = Pick<APIContext, 'cookies' | 'locals' | 'request' | 'url' | 'redirect' | 'clientAddress'>;

/** The server's classroom; pages that need it cannot run under `astro dev` alone. */
export function classroomOf(ctx: Context): Classroom {
  const classroom = ctx.locals.classroom;
  if (!classroom) {
    throw new ClassroomError(503, 'no-classroom', 'Classrooms run in the Socket Lab server: build the site and start it with `npm start` (or ./socketlab start), not `astro dev`.');
  }
  return classroom;
}

/** The client's address, for the per-address limits: the server's (X-Forwarded-For from TRUSTED_PROXIES), else the connection's. */
export function clientOf(ctx: Context): string {
  return ctx.locals.clientAddress ?? ctx.clientAddress;
}

/** Where this request's join and reset links may point (server/classroom/links.ts), or null. */
export function linkOriginOf(ctx: Context): string | null {
  return linkOrigin({ publicOrigin: ctx.locals.publicOrigin, clientAddress: clientOf(ctx), url: ctx.url });
}

/** Secure cookies when the site is served over https (directly, or per PUBLIC_URL behind a proxy). */
export function secureCookies(ctx: Context): boolean {
  return ctx.locals.secureCookies ?? ctx.url.protocol === 'https:';
}

/** The signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
export function signedIn(ctx: Context): { user: User; session: Session } | Response {
  if (ctx.locals.user && ctx.locals.session) return { user: ctx.locals.user, session: ctx.locals.session };
  return ctx.redirect(`/account/signin/?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`, 303);
}

/** The CSRF token for this page's forms: the session's when signed in, else a cookie's (double submit). */
export function csrfToken(ctx: Context): string {
  if (ctx.locals.session) return ctx.locals.session.csrf;
  const existing = ctx.cookies.get(COOKIES.csrf)?.value;
  if (existing) return existing;
  const token = newToken();
  ctx.cookies.set(COOKIES.csrf, token, { ...cookieOptions(secureCookies(ctx), 24 * 60 * 60), sameSite: 'strict' });
  return token;
}

/**
 * The posted form, after checking its CSRF token; throws 403 for a missing or wrong token and 413
 * for a body over the server's limit. Nothing has been changed when it throws.
 */
export async function postedForm(ctx: Context): Promise<FormData> {
  let form: FormData;
  try {
    form = await ctx.request.formData();
  } catch (err) {
    if (/size limit/i.test((err as Error).message)) throw new ClassroomError(413, 'too-large', 'The form is larger than the server accepts (64 KiB); shorten what you typed.');
    throw new ClassroomError(400, 'bad-form', 'The request is not a form (application/x-www-form-urlencoded or multipart/form-data).');
  }
  const sent = form.get('_csrf');
  const expected = ctx.locals.session?.csrf ?? ctx.cookies.get(COOKIES.csrf)?.value;
  if (typeof sent !== 'string' || !expected || !sameSecret(sent, expected)) {
    throw new ClassroomError(403, 'csrf', 'This form has expired or did not come from this site (its CSRF token is missing or wrong). Go back, reload the page and send it again.');
  }
  return form;
}

export function setSessionCookie(ctx: Context, token: string, days: number): void {
  ctx.cookies.set(COOKIES.session, token, cookieOptions(secureCookies(ctx), days * 24 * 60 * 60));
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.delete(COOKIES.session, { path: '/' });
}

/** The learner this browser is (device cookie or account), or null. */
export async function currentLearner(ctx: Context): Promise<Learner | null> {
  return classroomOf(ctx).learner({ deviceToken: ctx.cookies.get(COOKIES.learner)?.value, userId: ctx.locals.user?.id });
}

/** The learner, made now if needed (a new device token is set as a cookie). */
export async function ensureLearner(ctx: Context): Promise<Learner> {
  const { learner, deviceToken } = await classroomOf(ctx).ensureLearner({ deviceToken: ctx.cookies.get(COOKIES.learner)?.value, userId: ctx.locals.user?.id });
  if (deviceToken) ctx.cookies.set(COOKIES.learner, deviceToken, cookieOptions(secureCookies(ctx), LEARNER_COOKIE_SECONDS));
  return learner;
}

/** A route parameter that must be a positive id; anything else is NotFound. */
export function idParam(value: string | undefined): number {
  const id = /^[1-9][0-9]{0,15}$/.test(value ?? '') ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new ClassroomError(404, 'not-found', 'There is no such page.');
  return id;
}

/** Turns a ClassroomError into the page's status and message; anything else is rethrown. */
export function problem(ctx: { response: { status?: number; headers: Headers } }, err: unknown): string {
  if (!isClassroomError(err)) throw err;
  ctx.response.status = err.status;
  if (err.retryAfterMs > 0) ctx.response.headers.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
  return err.message;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The whole answer for a refused page (404 for another instructor's class, ...); anything else is rethrown. */
export function problemPage(err: unknown): Response {
  if (!isClassroomError(err)) throw err;
  const body = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${err.status} · Socket Lab</title><main style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>${err.status === 404 ? 'Not found' : 'Refused'}</h1><p role="alert">${escapeHtml(err.message)}</p><p><a href="/classes/">Your classes</a> · <a href="/">Socket Lab</a></p></main></html>`;
  return new Response(body, { status: err.status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
