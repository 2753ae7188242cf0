/**
 * Checker of http-health: an HTTP server on the Unix socket {socket}: GET /health answers 200 with
 * JSON {"status":"ok"}, POST /echo answers the request body, anything else 404 (405 for a wrong
 * method on /health).
 */
import { randomBytes } from 'node:crypto';
import { fail, httpUnix, runChecker, show, type HttpAnswer } from '../_lib/checker.ts';

function describe(a: HttpAnswer): string {
  return `${a.status}, Content-Type ${show(String(a.headers['content-type'] ?? '(none)'))}, body ${show(a.body, 120)}`;
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the Unix socket path given as the first argument (Go: net.Listen("unix", path) then http.Serve; Node: server.listen(path)). Remove a file left there first.',
  checks: [
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
      title: 'POST /echo answers the request body, all 20 000 bytes of it',
      run: async (t) => {
        await t.server();
        const body = randomBytes(10_000).toString('hex');
        const a = await httpUnix(t.addr.socket, 'POST', '/echo', body, 3000, { 'Content-Type': 'text/plain' });
        const expected = '200 and the same 20000 bytes';
        if (a.status !== 200 || a.body.toString() !== body) fail(`POST /echo with ${body.length} bytes`, expected, `${a.status} and ${a.body.length} bytes${a.body.length === body.length ? ' (different)' : ''}`, 'Read the whole body: Content-Length bytes, which take several reads (Go: io.ReadAll(r.Body); Node: collect the "data" chunks until "end").');
        return { sent: `POST /echo with ${body.length} bytes`, expected, got: expected };
      },
    },
    {
      id: 'not-found',
      title: 'Any other path answers 404',
      run: async (t) => {
        await t.server();
        const a = await httpUnix(t.addr.socket, 'GET', '/no-such-page', null, 2000);
        if (a.status !== 404) fail('GET /no-such-page', '404', describe(a), 'Answer 404 Not Found for paths you do not serve.');
        return { sent: 'GET /no-such-page', expected: '404', got: describe(a) };
      },
    },
    {
      id: 'method',
      title: 'POST /health answers 405 Method Not Allowed',
      run: async (t) => {
        await t.server();
        const a = await httpUnix(t.addr.socket, 'POST', '/health', 'x', 2000);
        if (a.status !== 405) fail('POST /health', '405', describe(a), '/health only answers GET: check the method too, and answer 405 with an "Allow: GET" header otherwise.');
        return { sent: 'POST /health', expected: '405', got: describe(a) };
      },
    },
  ],
});
