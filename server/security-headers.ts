/**
 * The headers every answer of the server carries (static pages, Astro's on-demand pages, the API):
 * a Content-Security-Policy, no MIME sniffing, no framing, a same-origin Referrer-Policy, and HSTS
 * when the public address is https. (The site's scripts, style sheets, fonts and pictures go
 * without the two that only act on documents: DOCUMENT_ONLY_HEADERS below.)
 *
 * The policy allows scripts from this origin only, plus the inline scripts the built site has
 * (Starlight's theme and sidebar scripts): their SHA-256 hashes are read from the built pages at
 * start, so whatever a page says in its markup, only those exact scripts run inline. Astro's own
 * scripts are never inlined (astro.config.mjs), so the classroom's on-demand pages need no hash.
 * Styles may be inline: Starlight, Expressive Code, xterm.js and CodeMirror set them at run time.
 * Pagefind (search) compiles WebAssembly: 'wasm-unsafe-eval', which allows nothing else.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `<script>` elements without a `src`, and their text. */
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The CSP hash sources of every distinct inline script in the built site's HTML pages. */
export function inlineScriptHashes(clientDir: string): string[] {
  const hashes = new Set<string>();
  for (const file of readdirSync(clientDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.html')) continue;
    for (const [, body] of readFileSync(join(clientDir, file), 'utf8').matchAll(INLINE_SCRIPT)) {
      if (body!.trim() !== '') hashes.add(`'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
    }
  }
  return [...hashes].sort();
}

export function contentSecurityPolicy(scriptHashes: string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${scriptHashes.join(' ')}`.trimEnd(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // 'self' covers the terminals' WebSockets (ws: and wss: to this host) and the EventSource feed.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Of those, the ones that only act on a document (a page, an SVG opened as one): a browser ignores
 * them on a script, a style sheet, a font or a picture. The static file server leaves them off
 * those, where they were most of the bytes of every answer (a lesson loads about twenty such
 * files; HTTP/1.1 does not compress headers). A script run as a Worker would take its policy from
 * its own answer: the site starts none.
 */
export const DOCUMENT_ONLY_HEADERS = ['Content-Security-Policy', 'X-Frame-Options'] as const;

/** The headers to set on every answer. */
export function securityHeaders(options: { scriptHashes: string[]; https: boolean }): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options.scriptHashes),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    // frame-ancestors says it to current browsers; this to the ones before CSP level 2.
    'X-Frame-Options': 'DENY',
    // Only when the public address is https: over plain http the header would be ignored, and set
    // on a site that later moves to plain http it would lock visitors out for its max-age.
    ...(options.https && { 'Strict-Transport-Security': 'max-age=31536000' }),
  };
}
