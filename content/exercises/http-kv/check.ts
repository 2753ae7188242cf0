/**
 * Checker of http-kv: a key-value store over HTTP on the Unix socket {socket}.
 * PUT /kv/<key> stores the body (204), GET returns it (200) or 404 with a JSON error, DELETE
 * removes it (204, or 404); a key outside [a-z0-9-]{1,64} gets 400 with a JSON error. Keep-alive
 * and concurrent requests must work.
 */
import { connectUnix, fail, httpUnix, runChecker, show, type HttpAnswer } from '../_lib/checker.ts';

function describe(a: HttpAnswer): string {
  return `${a.status}, body ${show(a.body, 100)}`;
}

function jsonError(a: HttpAnswer): boolean {
  try {
    return typeof (JSON.parse(a.body.toString()) as { error?: unknown }).error === 'string' && String(a.headers['content-type'] ?? '').startsWith('application/json');
  } catch {
    return false;
  }
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the Unix socket path given as the first argument, after removing a file left there.',
  checks: [
    {
      id: 'put-get',
      title: 'PUT /kv/<key> stores a value that GET returns',
      run: async (t) => {
        await t.server();
        const put = await httpUnix(t.addr.socket, 'PUT', '/kv/greeting', 'hello, store', 2000);
        const get = await httpUnix(t.addr.socket, 'GET', '/kv/greeting', null, 2000);
        const sent = 'PUT /kv/greeting "hello, store", then GET /kv/greeting';
        const expected = '204, then 200 "hello, store"';
        const got = `${put.status}, then ${describe(get)}`;
        if (put.status !== 204 || get.status !== 200 || get.body.toString() !== 'hello, store') fail(sent, expected, got, 'Store the whole body under the key from the path (after "/kv/") and answer 204 No Content; GET answers 200 with the stored bytes.');
        return { sent, expected, got };
      },
    },
    {
      id: 'missing',
      title: 'GET of a key never stored answers 404 with a JSON error',
      run: async (t) => {
        await t.server();
        const a = await httpUnix(t.addr.socket, 'GET', '/kv/never-stored', null, 2000);
        const expected = '404, Content-Type application/json, {"error": "..."}';
        if (a.status !== 404 || !jsonError(a)) fail('GET /kv/never-stored', expected, `${describe(a)}, Content-Type ${show(String(a.headers['content-type'] ?? '(none)'))}`, 'Answer 404 with Content-Type: application/json and a body like {"error":"no such key"}.');
        return { sent: 'GET /kv/never-stored', expected, got: describe(a) };
      },
    },
    {
      id: 'delete',
      title: 'DELETE removes a key: 204, then 404',
      run: async (t) => {
        await t.server();
        await httpUnix(t.addr.socket, 'PUT', '/kv/doomed', 'x', 2000);
        const del = await httpUnix(t.addr.socket, 'DELETE', '/kv/doomed', null, 2000);
        const get = await httpUnix(t.addr.socket, 'GET', '/kv/doomed', null, 2000);
        const again = await httpUnix(t.addr.socket, 'DELETE', '/kv/doomed', null, 2000);
        const sent = 'PUT /kv/doomed, DELETE /kv/doomed, GET /kv/doomed, DELETE /kv/doomed';
        const expected = 'DELETE 204, GET 404, second DELETE 404';
        const got = `DELETE ${del.status}, GET ${get.status}, second DELETE ${again.status}`;
        if (del.status !== 204 || get.status !== 404 || again.status !== 404) fail(sent, expected, got, 'DELETE of a stored key answers 204 and forgets it; of a missing key, 404.');
        return { sent, expected, got };
      },
    },
    {
      id: 'bad-key',
      title: 'A key outside [a-z0-9-]{1,64} answers 400 with a JSON error',
      run: async (t) => {
        await t.server();
        for (const key of ['UPPER', 'a_b', 'x'.repeat(65), '']) {
          const a = await httpUnix(t.addr.socket, 'PUT', `/kv/${key}`, 'v', 2000);
          if (a.status !== 400 || !jsonError(a)) fail(`PUT /kv/${key.length > 20 ? `${key.slice(0, 10)}... (${key.length} characters)` : key}`, '400 with a JSON {"error": ...}', describe(a), 'Check the key against ^[a-z0-9-]{1,64}$ before anything else and answer 400 Bad Request with a JSON error saying what is allowed.');
        }
        return { sent: 'PUT with keys "UPPER", "a_b", 65 characters, empty', expected: '400 with a JSON error each time', got: '400 with a JSON error each time' };
      },
    },
    {
      id: 'keep-alive',
      title: 'Answers two requests sent on one connection',
      run: async (t) => {
        await t.server();
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const request = 'GET /kv/never-stored HTTP/1.1\r\nHost: localhost\r\n\r\n';
        await c.write(request + request);
        const sent = 'two GET requests in one write, on one connection';
        const expected = 'two HTTP answers';
        const deadline = Date.now() + 2500;
        let seen = '';
        while (Date.now() < deadline && (seen.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < 2 && !c.ended) {
          seen += (await c.read(1, 200).catch(() => Buffer.alloc(0))).toString();
          seen += c.pending.toString();
          await c.read(c.pending.length, 10).catch(() => {});
        }
        const count = (seen.match(/HTTP\/1\.1 \d{3}/g) ?? []).length;
        if (count < 2) fail(sent, expected, `${count} answer${count === 1 ? '' : 's'}${c.ended ? ', then the connection closed' : ''}`, 'HTTP/1.1 connections are persistent: after answering, read the next request on the same connection (the standard servers do this for you; do not close after one answer).');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'concurrent',
      title: 'Handles 30 requests at once without losing a value',
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
        const puts = await Promise.all(keys.map((k) => httpUnix(t.addr.socket, 'PUT', `/kv/${k}`, `value of ${k}`, 5000)));
        const gets = await Promise.all(keys.map((k) => httpUnix(t.addr.socket, 'GET', `/kv/${k}`, null, 5000)));
        const wrong = keys.filter((k, i) => puts[i]!.status !== 204 || gets[i]!.body.toString() !== `value of ${k}`);
        const server = await t.server().catch(() => null);
        const sent = '30 PUTs at once, then 30 GETs at once';
        if (wrong.length > 0) fail(sent, 'every value back', `${wrong.length} of 30 wrong, e.g. ${wrong[0]}${server ? '' : '; your server crashed'}`, 'Requests are served concurrently (goroutines in Go): guard the map with a sync.Mutex, or Go stops with "concurrent map writes".');
        return { sent, expected: 'every value back', got: 'every value back' };
      },
    },
  ],
});
