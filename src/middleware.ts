/**
 * Runs before every on-demand page (the classroom): who is signed in, and no caching of pages with
 * someone's data. Prerendered lesson pages pass straight through. The security headers every
 * answer carries (CSP, no framing, Referrer-Policy, nosniff) are set by the server
 * (server/security-headers.ts).
 */
import { defineMiddleware } from 'astro:middleware';
import { COOKIES } from '../server/classroom/cookies.ts';

export const onRequest = defineMiddleware(async (ctx, next) => {
  if (ctx.isPrerendered) return next();
  const classroom = ctx.locals.classroom;
  const token = ctx.cookies.get(COOKIES.session)?.value;
  if (classroom && token) {
    const signedIn = await classroom.session(token);
    if (signedIn) {
      ctx.locals.user = signedIn.user;
      ctx.locals.session = signedIn.session;
    } else {
      ctx.cookies.delete(COOKIES.session, { path: '/' }); // expired or signed out elsewhere
    }
  }
  const response = await next();
  response.headers.set('Cache-Control', 'no-store');
  return response;
});
