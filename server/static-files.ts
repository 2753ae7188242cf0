/**
 * Serves the built site's files (dist/client) with the headers that make a slow connection fast:
 *
 * - the Brotli or gzip copy written at build time (src/build/precompress.ts) when the client
 *   accepts it, `Vary: Accept-Encoding` on every file that has one; a client that did not ask for
 *   a coding always gets the file itself, and a missing copy falls back to the file;
 * - `Cache-Control: public, max-age=31536000, immutable` on /_astro/ files, whose names carry a hash
 *   of their content (a change is a new name), so a browser never asks for them again;
 * - `Cache-Control: no-cache` with an ETag and Last-Modified on everything else (the pages, the
 *   search index), so a browser asks each time and gets a 304 with no body while nothing changed;
 * - no Content-Security-Policy or X-Frame-Options on scripts, style sheets, fonts and pictures
 *   (security-headers.ts's DOCUMENT_ONLY_HEADERS: they act on documents only).
 *
 * With `optimized: false` (PAGE_DELIVERY=plain, the page benchmark's "before") files are sent
 * uncompressed and without Cache-Control, as the server did before, keeping the ETag.
 *
 * The file list is read once at start: the built site does not change under a running server.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { preferredCoding, type Coding } from './accept-encoding.ts';
import { DOCUMENT_ONLY_HEADERS } from './security-headers.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Scripts, style sheets, fonts, pictures other than SVG, WebAssembly: never a document. */
const SUBRESOURCE = /^(text\/javascript|text\/css|font\/|image\/(?!svg)|application\/wasm)/;

const SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

interface Variant {
  path: string;
  size: number;
  etag: string;
}

interface StaticFile {
  type: string;
  /** Can be opened as a document (HTML, SVG, text...), so the document-only security headers apply. */
  document: boolean;
  lastModified: string;
  cacheControl: string;
  /** The file itself, and its compressed copies where the build wrote them. */
  identity: Variant;
  br?: Variant;
  gzip?: Variant;
}

function variant(path: string, coding: string): Variant | undefined {
  try {
    const stats = statSync(path);
    return { path, size: stats.size, etag: `"${stats.size.toString(36)}-${Math.trunc(stats.mtimeMs).toString(36)}-${coding}"` };
  } catch {
    return undefined;
  }
}

/** Every file under `root` by URL path ('/tcp/index.html'); compressed copies ride on their original. */
function indexFiles(root: string, optimized: boolean): Map<string, StaticFile> {
  const names = new Set(readdirSync(root, { recursive: true, encoding: 'utf8' }));
  const files = new Map<string, StaticFile>();
  for (const name of names) {
    const isCopy = (name.endsWith('.br') || name.endsWith('.gz')) && names.has(name.slice(0, -3));
    if (isCopy) continue;
    const path = join(root, name);
    const stats = statSync(path);
    if (!stats.isFile()) continue;
    const url = `/${name.split(sep).join('/')}`;
    const file: StaticFile = {
      type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      document: !SUBRESOURCE.test(TYPES[extname(name).toLowerCase()] ?? ''),
      lastModified: stats.mtime.toUTCString(),
      cacheControl: url.startsWith('/_astro/') ? IMMUTABLE : REVALIDATE,
      identity: variant(path, 'id')!,
    };
    if (optimized) {
      for (const coding of ['br', 'gzip'] as const) {
        if (names.has(name + SUFFIX[coding])) file[coding] = variant(path + SUFFIX[coding], coding);
      }
    }
    files.set(url, file);
  }
  return files;
}

/** The file a URL path names: itself, or the index.html of its folder, as Astro builds pages. */
function lookup(files: Map<string, StaticFile>, pathname: string): StaticFile | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.endsWith('/')) return files.get(`${path}index.html`);
  return files.get(path) ?? files.get(`${path}/index.html`) ?? files.get(`${path}.html`);
}

/** If-None-Match (a list, `*`, weak or strong) wins over If-Modified-Since, as RFC 9110 §13.2.2 says. */
function notModified(req: IncomingMessage, etag: string, lastModified: string): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '') === etag;
    });
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && Date.parse(lastModified) <= since;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A handler that answers GET and HEAD for files under `root` and returns false for anything else. */
export function staticFiles(root: string, options: { optimized: boolean }): StaticHandler {
  const files = indexFiles(root, options.optimized);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = lookup(files, new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!file) return false;
    const coding = preferredCoding(req.headers['accept-encoding'], (['br', 'gzip'] as const).filter((c) => file[c]));
    const chosen = (coding && file[coding]) || file.identity;
    if (!file.document) for (const name of DOCUMENT_ONLY_HEADERS) res.removeHeader(name);
    res.setHeader('ETag', chosen.etag);
    res.setHeader('Last-Modified', file.lastModified);
    if (options.optimized) res.setHeader('Cache-Control', file.cacheControl);
    if (file.br || file.gzip) res.setHeader('Vary', 'Accept-Encoding');
    if (notModified(req, chosen.etag, file.lastModified)) {
      res.writeHead(304).end();
      return true;
    }
    res.setHeader('Content-Type', file.type);
    res.setHeader('Content-Length', chosen.size);
    if (coding) res.setHeader('Content-Encoding', coding);
    res.writeHead(200);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    createReadStream(chosen.path)
      .on('error', () => res.destroy())
      .pipe(res);
    return true;
  };
}
