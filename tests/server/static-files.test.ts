/**
 * How the server sends the built site's files (server/static-files.ts) and its on-demand pages
 * (server/compress-response.ts), over real HTTP with raw requests (no client that decodes for us):
 * Brotli preferred over gzip, identity when neither is accepted and never a compressed copy to a
 * client that did not ask for one, a missing copy falling back, 304 on a matching ETag, immutable
 * caching on hashed /_astro/ files only, HEAD, and PAGE_DELIVERY=plain (the benchmark's "before").
 * The copies are made by the build's own step (src/build/precompress.ts) in a scratch folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { precompressDir } from '../../src/build/precompress.ts';
import { IMMUTABLE, REVALIDATE, staticFiles } from '../../server/static-files.ts';
import { ROOT } from '../support/examples.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(answer: Answer): string {
  const coding = answer.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(answer.body).toString();
  if (coding === 'gzip') return gunzipSync(answer.body).toString();
  assert.equal(coding, undefined, `unexpected Content-Encoding ${coding}`);
  return answer.body.toString();
}

const page = `<!doctype html><title>TCP</title>${'<p>socket, bind, listen, accept</p>\n'.repeat(400)}`;
const script = `export const greeting = ${JSON.stringify('hello '.repeat(300))};\n`;
const style = `p { color: red; }\n`.repeat(100);

async function serve(root: string, optimized: boolean): Promise<{ server: Server; base: string }> {
  const handle = staticFiles(root, { optimized });
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404).end('not a file');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return { server, base: `http://127.0.0.1:${address.port}` };
}

describe('static files', () => {
  let root: string;
  let optimized: { server: Server; base: string };
  let plain: { server: Server; base: string };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sl-static-'));
    mkdirSync(join(root, 'tcp'));
    mkdirSync(join(root, '_astro'));
    writeFileSync(join(root, 'tcp/index.html'), page);
    writeFileSync(join(root, '_astro/app.B2IYtRfV.js'), script);
    writeFileSync(join(root, 'only-gzip.css'), style);
    writeFileSync(join(root, 'no-copies.css'), style);
    writeFileSync(join(root, 'tiny.txt'), 'small');
    await precompressDir(root);
    unlinkSync(join(root, 'only-gzip.css.br'));
    unlinkSync(join(root, 'no-copies.css.br'));
    unlinkSync(join(root, 'no-copies.css.gz'));
    optimized = await serve(root, true);
    plain = await serve(root, false);
  });
  after(() => {
    optimized?.server.close();
    plain?.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('the build writes a Brotli and a gzip copy of text files, and none of files too small to gain', async () => {
    const answer = await get(optimized.base, '/tiny.txt', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.body.toString(), 'small');
  });

  it('prefers Brotli when gzip is accepted too, whatever the order', async () => {
    for (const accept of ['gzip, deflate, br', 'br, gzip', 'gzip;q=1, br;q=1', 'br;q=0.5, gzip;q=0.5', '*']) {
      const answer = await get(optimized.base, '/tcp/', { 'Accept-Encoding': accept });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-encoding'], 'br', `Accept-Encoding: ${accept}`);
      assert.equal(Number(answer.headers['content-length']), answer.body.length);
      assert.ok(answer.body.length < page.length / 4, 'the Brotli copy is sent, not the page');
      assert.equal(decoded(answer), page);
      assert.equal(answer.headers.vary, 'Accept-Encoding');
    }
  });

  it('sends gzip to a client that takes gzip only, or weighs it higher, or refuses Brotli', async () => {
    for (const accept of ['gzip', 'gzip, deflate', 'br;q=0.2, gzip;q=0.8', 'br;q=0, gzip', 'x-gzip']) {
      const answer = await get(optimized.base, '/tcp/', { 'Accept-Encoding': accept });
      assert.equal(answer.headers['content-encoding'], 'gzip', `Accept-Encoding: ${accept}`);
      assert.equal(decoded(answer), page);
    }
  });

  it('never sends a compressed copy to a client that did not ask for one', async () => {
    const noCoding: Record<string, string>[] = [{}, { 'Accept-Encoding': '' }, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'deflate' }, { 'Accept-Encoding': 'br;q=0, gzip;q=0' }, { 'Accept-Encoding': '*;q=0' }, { 'Accept-Encoding': 'brotli-ish, gzipped' }];
    for (const headers of noCoding) {
      const answer = await get(optimized.base, '/tcp/', headers);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-encoding'], undefined, JSON.stringify(headers));
      assert.equal(answer.body.toString(), page, JSON.stringify(headers));
      assert.equal(answer.headers.vary, 'Accept-Encoding', 'a cache must not give this answer to a client that takes Brotli');
    }
    assert.equal((await get(optimized.base, '/tcp/index.html.br')).status, 404, 'a copy is no file of its own');
    assert.equal((await get(optimized.base, '/_astro/app.B2IYtRfV.js.gz')).status, 404);
  });

  it('falls back to gzip, then to the file itself, when the build left no Brotli or no copy at all', async () => {
    const gz = await get(optimized.base, '/only-gzip.css', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(decoded(gz), style);
    const brOnly = await get(optimized.base, '/only-gzip.css', { 'Accept-Encoding': 'br' });
    assert.equal(brOnly.headers['content-encoding'], undefined);
    assert.equal(brOnly.body.toString(), style);
    const none = await get(optimized.base, '/no-copies.css', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(none.headers['content-encoding'], undefined);
    assert.equal(none.body.toString(), style);
    assert.equal(none.headers.vary, undefined, 'a file with no copies does not vary');
    assert.equal(none.headers['content-type'], 'text/css; charset=utf-8');
  });

  it('caches hashed /_astro/ files for a year as immutable, and has the browser revalidate everything else', async () => {
    const asset = await get(optimized.base, '/_astro/app.B2IYtRfV.js', { 'Accept-Encoding': 'br' });
    assert.equal(asset.headers['cache-control'], IMMUTABLE);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(decoded(asset), script);
    for (const path of ['/tcp/', '/only-gzip.css', '/tiny.txt']) {
      const answer = await get(optimized.base, path, { 'Accept-Encoding': 'br' });
      assert.equal(answer.headers['cache-control'], REVALIDATE, path);
      assert.doesNotMatch(answer.headers['cache-control'] ?? '', /immutable|max-age/, path);
      assert.ok(answer.headers.etag, `${path} has an ETag`);
      assert.ok(answer.headers['last-modified'], `${path} has a Last-Modified`);
    }
  });

  it('answers 304 without a body to a matching If-None-Match or If-Modified-Since, with the caching headers', async () => {
    const first = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br' });
    const etag = first.headers.etag!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br', 'If-None-Match': ifNoneMatch });
      assert.equal(again.status, 304, `If-None-Match: ${ifNoneMatch}`);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['cache-control'], REVALIDATE);
      assert.equal(again.headers.vary, 'Accept-Encoding');
    }
    const otherCoding = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    assert.equal(otherCoding.status, 200, "the Brotli copy's ETag does not stand for the gzip copy");
    assert.equal(decoded(otherCoding), page);
    const changed = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br', 'If-None-Match': '"something-else"' });
    assert.equal(changed.status, 200);
    const since = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br', 'If-Modified-Since': first.headers['last-modified']! });
    assert.equal(since.status, 304);
    const before = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br', 'If-Modified-Since': new Date(Date.parse(first.headers['last-modified']!) - 60_000).toUTCString() });
    assert.equal(before.status, 200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const getAnswer = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br' });
    const head = await get(optimized.base, '/tcp/', { 'Accept-Encoding': 'br' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const name of ['content-encoding', 'content-length', 'content-type', 'etag', 'cache-control', 'vary']) assert.equal(head.headers[name], getAnswer.headers[name], name);
  });

  it('leaves other methods to the next handler', async () => {
    assert.equal((await get(optimized.base, '/tcp/', {}, 'POST')).status, 404);
  });

  it('PAGE_DELIVERY=plain sends every file uncompressed and without Cache-Control', async () => {
    for (const path of ['/tcp/', '/_astro/app.B2IYtRfV.js']) {
      const answer = await get(plain.base, path, { 'Accept-Encoding': 'br, gzip' });
      assert.equal(answer.headers['content-encoding'], undefined, path);
      assert.equal(answer.headers['cache-control'], undefined, path);
      assert.equal(answer.headers.vary, undefined, path);
      assert.ok(answer.headers.etag, path);
    }
  });
});

describe("on the real server: on-demand pages (the classroom's, Astro's 404), the built pages, the API", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('are compressed on the fly for a client that accepts it, Brotli first, and sent as they are otherwise', async () => {
    const identity = await get(server.base, '/join/');
    assert.equal(identity.status, 200);
    assert.equal(identity.headers['content-encoding'], undefined);
    assert.match(identity.body.toString(), /<html/);
    assert.equal(identity.headers.vary, 'Accept-Encoding');
    const br = await get(server.base, '/join/', { 'Accept-Encoding': 'gzip, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.ok(br.body.length < identity.body.length / 2, `${br.body.length} bytes of Brotli for ${identity.body.length} of HTML`);
    assert.match(decoded(br), /<html/);
    const gzip = await get(server.base, '/join/', { 'Accept-Encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.match(decoded(gzip), /<html/);
    const head = await get(server.base, '/join/', { 'Accept-Encoding': 'br' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('the built pages come from the build\'s copies on the real server', async () => {
    const answer = await get(server.base, '/tcp/', { 'Accept-Encoding': 'br' });
    assert.equal(answer.headers['content-encoding'], 'br');
    assert.equal(answer.headers['cache-control'], REVALIDATE);
    assert.match(decoded(answer), /<html/);
  });

  it('sends the document-only security headers on pages and SVG, and not on scripts and style sheets', async () => {
    const assets = readdirSync(join(ROOT, 'dist/client/_astro')).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
    for (const path of ['/_astro/' + assets.find((f) => f.endsWith('.js')), '/_astro/' + assets.find((f) => f.endsWith('.css'))]) {
      const answer = await get(server.base, path, { 'Accept-Encoding': 'br' });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['content-security-policy'], undefined, path);
      assert.equal(answer.headers['x-frame-options'], undefined, path);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', `${path}: nosniff is what guards a script or style sheet`);
    }
    for (const path of ['/tcp/', '/favicon.svg', '/join/']) {
      const answer = await get(server.base, path, { 'Accept-Encoding': 'br' });
      assert.ok(answer.headers['content-security-policy'], path);
      assert.equal(answer.headers['x-frame-options'], 'DENY', path);
    }
  });

  it('API answers are not touched', async () => {
    const answer = await get(server.base, '/healthz', { 'Accept-Encoding': 'br' });
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers['cache-control'], 'no-store');
  });
});
