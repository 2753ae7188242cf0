/**
 * Compression on the fly of what Astro's on-demand routes write (server/compress-response.ts),
 * over real HTTP: a page is compressed for a client that accepts it, and an event stream (the
 * instructor's live dashboard) is left as it is, so each event arrives when it is sent rather than
 * when a compressor's buffer fills.
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';
import { compressResponse } from '../../server/compress-response.ts';

let server: Server;
let base: string;
let sendSecondEvent: () => void = () => {};

before(async () => {
  server = createServer((req, res) => {
    compressResponse(req.headers['accept-encoding'], req.method, res);
    if (req.url === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
      res.write('data: first\n\n');
      sendSecondEvent = () => res.end('data: second\n\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html>${'<p>a page made on demand</p>'.repeat(200)}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  sendSecondEvent();
  server.closeAllConnections();
  server.close();
});

function open(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(base + path, { headers }, resolve).on('error', reject).end());
}

describe('compression on the fly', () => {
  it('compresses a page with Brotli for a client that accepts it', async () => {
    const res = await open('/page', { 'Accept-Encoding': 'gzip, br' });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.match(brotliDecompressSync(Buffer.concat(chunks)).toString(), /a page made on demand/);
  });

  it('leaves an event stream uncompressed, so its first event arrives before the stream ends', async () => {
    const firstEvent = async () => {
      const res = await open('/events', { 'Accept-Encoding': 'gzip, br' });
      const chunk = await new Promise<Buffer>((resolve) => res.once('data', resolve));
      res.resume();
      return { encoding: res.headers['content-encoding'], first: chunk.toString() };
    };
    const got = await Promise.race([firstEvent(), new Promise<string>((resolve) => setTimeout(() => resolve('nothing within 2 s'), 2000))]);
    assert.deepEqual(got, { encoding: undefined, first: 'data: first\n\n' });
  });
});
