/**
 * Checker of http-health: an HTTP server on the Unix socket {socket}: GET /health answers 200 with
 * JSON {"status":"ok"}, POST /echo answers the request body (sent in pieces, with pauses),
 * anything else 404 (405 for a wrong method on /health). It serves a client while another one
 * is silent, replaces a stale socket file but never a live one, and removes it on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { canConnect, connectUnix, fail, httpUnix, rawHttp, refusesLiveSocket, runChecker, sha256, show, startsOverStaleFile, stopsOnSigterm, type HttpAnswer } from '../_lib/checker.ts';

const STALE_HINT = 'A socket file left by a crashed server makes bind() fail with EADDRINUSE. Before listening, connect to the path: ECONNREFUSED means the file is stale, so remove it; a successful connect means another server is alive there, so exit with an error.';

function describe(a: HttpAnswer): string {
  return `${a.status}, Content-Type ${show(String(a.headers['content-type'] ?? '(none)'))}, body ${show(a.body, 120)}`;
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the Unix socket path given as the first argument (Go: net.Listen("unix", path) then http.Serve; Node: server.listen(path)). Remove a stale file left there first (connect to it: ECONNREFUSED means stale).',
  checks: [
    {
      id: 'stale-file',
      title: 'Starts even when a stale socket file is in the way',
      run: (t) => startsOverStaleFile(t, STALE_HINT),
    },
    {
      id: 'health',
      title: 'GET /health answers 200 with JSON {"status":"ok"}',
      run: async (t) => {
        await t.server();
        const a = await httpUnix(t.addr.socket, 'GET', '/health', null, 2000);
        const expected = '200, Content-Type application/json, body {"status":"ok"}';
        let body: unknown = null;
        try {
          body = JSON.parse(a.body.toString());
        } catch {}
        if (a.status !== 200) fail('GET /health', expected, describe(a), 'Route GET /health to a handler that answers status 200.');
        if (!String(a.headers['content-type'] ?? '').startsWith('application/json')) fail('GET /health', expected, describe(a), 'Say what the body is: Content-Type: application/json.');
        if ((body as { status?: unknown } | null)?.status !== 'ok') fail('GET /health', expected, describe(a), 'The body must be JSON with "status": "ok" (JSON.stringify / encoding/json / a literal string).');
        return { sent: 'GET /health', expected, got: describe(a) };
      },
    },
    {
      id: 'echo',
      title: 'POST /echo answers the request body, all 20 000 bytes of it, sent in pieces',
      timeoutMs: 6000,
      run: async (t) => {
        await t.server();
        const body = Buffer.from(randomBytes(10_000).toString('hex'));
        const head = `POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
        // Ten writes with pauses: the head and the body each arrive over several reads.
        const { answer, raw } = await rawHttp(t.addr.socket, Buffer.concat([Buffer.from(head), body]), 10, 80, 3000);
        const sent = `POST /echo with ${body.length} bytes (Connection: close), in 10 writes 80 ms apart`;
        const expected = `200 and the same ${body.length} bytes (SHA-256 ${sha256(body)}), then the end of the stream`;
        if (!answer) fail(sent, expected, raw.length ? `an incomplete answer: ${show(raw, 200)}` : 'no answer', 'Reading the request with one read(): the head and the body may arrive in any number of pieces. Read until the blank line, then exactly Content-Length bytes of body, however many reads that takes.');
        const got = `${answer.status} and ${answer.body.length} bytes (SHA-256 ${sha256(answer.body)})${answer.extra.length ? `, then ${answer.extra.length} more bytes` : ''}`;
        if (answer.status !== 200 || !answer.body.equals(body)) fail(sent, expected, got, 'Reading the body with one read(): the body arrives in pieces. Read exactly Content-Length bytes, however many reads that takes (Go: io.ReadAll(r.Body); Node: collect the "data" chunks until "end").');
        if (answer.extra.length) fail(sent, expected, got, 'Send exactly Content-Length bytes of body: nothing after it.');
        return { sent, expected, got };
      },
    },
    {
      id: 'not-found',
      title: 'Anything else answers 404 (GET /echo too)',
      run: async (t) => {
        await t.server();
        for (const [method, path] of [['GET', '/no-such-page'], ['GET', '/echo']] as const) {
          const a = await httpUnix(t.addr.socket, method, path, null, 2000);
          if (a.status !== 404) fail(`${method} ${path}`, '404', describe(a), path === '/echo' ? 'The statement serves POST /echo only: anything else is "anything else", 404 (a Go pattern "POST /echo" answers 405 for GET: route on the path and check the method yourself).' : 'Answer 404 Not Found for paths you do not serve.');
        }
        return { sent: 'GET /no-such-page, GET /echo', expected: '404 each time', got: '404 each time' };
      },
    },
    {
      id: 'method',
      title: 'POST and HEAD /health answer 405 Method Not Allowed',
      run: async (t) => {
        await t.server();
        for (const [method, body] of [['POST', 'x'], ['HEAD', null]] as const) {
          const a = await httpUnix(t.addr.socket, method, '/health', body, 2000);
          if (a.status !== 405) fail(`${method} /health`, '405', describe(a), method === 'HEAD' ? '/health answers GET and nothing else, HEAD included (a Go pattern "GET /health" accepts HEAD too): check the method yourself.' : '/health only answers GET: check the method too, and answer 405 with an "Allow: GET" header otherwise.');
        }
        return { sent: 'POST /health, HEAD /health', expected: '405 each time', got: '405 each time' };
      },
    },
    {
      id: 'concurrent',
      title: 'Answers a request while another client is connected and silent',
      run: async (t) => {
        await t.server();
        const silent = await connectUnix(t.addr.socket);
        t.defer(() => silent.close());
        await silent.write('GET /health HTTP/1.1\r\n'); // and nothing more: half a request head
        const sent = 'a client that sends half a request and waits, then GET /health from another';
        const a = await httpUnix(t.addr.socket, 'GET', '/health', null, 1500).catch(() => null);
        if (a?.status !== 200) fail(sent, 'the second gets 200 at once', a ? describe(a) : 'no answer within 1.5 s', 'Serving one client at a time: while your server waits for the silent client\'s request, nobody else is served. Serve each connection on its own thread (C: pthread_create), and give each a receive timeout (SO_RCVTIMEO) so a silent client cannot hold one forever.');
        return { sent, expected: 'the second gets 200 at once', got: describe(a) };
      },
    },
    {
      id: 'live-socket',
      title: 'A second copy refuses to take over a live socket',
      timeoutMs: 6000,
      run: (t) => refusesLiveSocket(t, () => canConnect(t.addr.socket, 1000)),
    },
    {
      id: 'sigterm',
      title: 'On SIGTERM it exits and removes its socket file',
      run: (t) => stopsOnSigterm(t),
    },
  ],
});
