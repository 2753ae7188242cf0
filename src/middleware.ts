/**
 * Runs before every on-demand page (the classroom): who is signed in, and headers no classroom page
 * should go without. Prerendered lesson pages pass straight through.
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
  // Pages with someone's data are never cached, framed or sent a referrer with tokens in its URL.
  response.headers.set('Cache-Control', 'no-store');
  response.headers.set('X-Frame-Options', 'DENY');
  response.headers.set('Referrer-Policy', 'same-origin');
  response.headers.set('X-Content-Type-Options', 'nosniff');
  return response;
});
