/**
 * Checker of http-kv: a key-value store over HTTP on the Unix socket {socket}.
 * PUT /kv/<key> stores the body (204), GET returns it (200) or 404 with a JSON error, DELETE
 * removes it (204, or 404); a key outside [a-z0-9-]{1,64} gets 400 with a JSON error. Keep-alive
 * and concurrent requests must work, a slow body must not hold up other requests, a live socket
 * file is never taken over, and SIGTERM removes it.
 */
import { canConnect, connectUnix, fail, httpUnix, refusesLiveSocket, runChecker, show, sleep, stopsOnSigterm, type HttpAnswer } from '../_lib/checker.ts';

const RACE_HINT = 'Requests are served concurrently (goroutines in Go): a plain map written from several at once crashes the program ("fatal error: concurrent map writes") or loses values, and the race detector (go build -race) reports any two unsynchronized accesses as a DATA RACE. Guard every access, reads too, to the map with a sync.Mutex (lock, touch the map, unlock).';

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

/**
 * `perConnection` requests (PUTs of distinct keys and GETs of missing ones, in turn) pipelined on
 * each of `connections` connections at once (one write each: the server reads them as fast as it
 * can, on as many threads as it has), then waits for every answer; resolves with how many
 * answered as they should (204, 404) and whether a connection broke.
 */
async function hammer(socketPath: string, connections: number, perConnection: number, ms: number): Promise<{ answered: number; broken: boolean }> {
  const conns = await Promise.all(Array.from({ length: connections }, () => connectUnix(socketPath)));
  const until = Date.now() + ms;
  const counts = await Promise.all(
    conns.map(async (c, n) => {
      // Every other request reads a key (one never stored: its answer does not depend on the
      // order a server handles pipelined requests in): a read during a write is caught too.
      const requests = Array.from({ length: perConnection }, (_, i) => (i % 2 ? `GET /kv/absent-${n}-${i} HTTP/1.1\r\nHost: localhost\r\n\r\n` : `PUT /kv/hammer-${n}-${i} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nvalue`)).join('');
      await c.write(requests).catch(() => {});
      let seen = 0;
      // The answers pile up unread in c.pending; counting them there is enough.
      while (seen < perConnection && !c.ended && Date.now() < until) {
        await sleep(50);
        seen = (c.pending.toString('latin1').match(/HTTP\/1\.1 [24]04/g) ?? []).length;
      }
      c.close();
      return { seen, broken: c.ended && seen < perConnection };
    }),
  );
  return { answered: counts.reduce((sum, c) => sum + c.seen, 0), broken: counts.some((c) => c.broken) };
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the Unix socket path given as the first argument, after removing a stale file left there (connect to it first: ECONNREFUSED means stale).',
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
      title: 'Handles 30 requests at once, then 9600 PUTs and GETs on 16 connections at once, without losing a value',
      timeoutMs: 14000,
      run: async (t) => {
        const server = await t.server();
        const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
        const sent = '30 PUTs at once, 30 GETs at once, then 600 pipelined PUTs and GETs on each of 16 connections at once';
        const crashed = () => {
          if (!server.hasExited) return '';
          const fatal = /fatal error: [^\n]*/.exec(server.output)?.[0];
          return `; your server stopped${fatal ? ` with ${show(fatal)}` : `: ${server.describeExit()}`}`;
        };
        // Go builds with -race (exercise.json): the detector reports two goroutines touching the map
        // unsynchronized even when the timing never made them collide.
        const raced = () => {
          if (!server.output.includes('WARNING: DATA RACE')) return;
          const where = /(?:Write|Read) at 0x[0-9a-f]+ by goroutine \d+:\n\s+([^\n]+)/.exec(server.output)?.[1];
          fail(sent, 'no data race', `the race detector reported a data race${where ? ` in ${show(where.trim())}` : ''}`, RACE_HINT);
        };
        const puts = await Promise.all(keys.map((k) => httpUnix(t.addr.socket, 'PUT', `/kv/${k}`, `value of ${k}`, 3000).catch(() => null)));
        const unanswered = puts.filter((p) => p === null).length;
        if (unanswered > 0) fail(sent, 'every value back', `${unanswered} of 30 PUTs got no answer within 3 s${crashed()}`, RACE_HINT);
        const gets = await Promise.all(keys.map((k) => httpUnix(t.addr.socket, 'GET', `/kv/${k}`, null, 3000).catch(() => null)));
        const wrong = keys.filter((k, i) => puts[i]?.status !== 204 || gets[i]?.body.toString() !== `value of ${k}`);
        if (wrong.length > 0) fail(sent, 'every value back', `${wrong.length} of 30 wrong, e.g. ${wrong[0]}${crashed()}`, RACE_HINT);
        raced();
        const { answered, broken } = await hammer(t.addr.socket, 16, 600, 8000);
        await sleep(100);
        raced();
        if (answered < 16 * 600 || server.hasExited) fail(sent, 'every PUT answered 204 and every GET 404, and the server still running', `${answered} of ${16 * 600} requests answered within 8 s${broken ? ', then a connection closed' : ''}${crashed()}`, RACE_HINT);
        return { sent, expected: 'every value back, every request answered', got: `every value back; ${answered} requests answered` };
      },
    },
    {
      id: 'slow-body',
      title: 'A PUT whose body comes slowly holds up no other request, and is stored whole',
      timeoutMs: 6000,
      run: async (t) => {
        await t.server();
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const body = 'a body sent in three pieces';
        await c.write(`PUT /kv/slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 7)}`);
        await sleep(200);
        const sent = `PUT /kv/slow with a ${body.length}-byte body, in three writes 1 s apart; meanwhile GET /kv/other on another connection`;
        const started = Date.now();
        const other = await httpUnix(t.addr.socket, 'GET', '/kv/other', null, 1500).catch(() => null);
        if (!other) fail(sent, 'GET /kv/other answered at once (404)', 'no answer to GET /kv/other within 1.5 s, while the PUT\'s body was unfinished', 'A mutex held across reading the body: while one handler waits for a slow client\'s body under the lock, every other request waits for the lock. Read the body first (io.ReadAll), then lock, touch the map and unlock.');
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
        await c.write(body.slice(7, 17));
        await sleep(300);
        await c.write(body.slice(17));
        const head = await c.readLine(3000);
        const get = await httpUnix(t.addr.socket, 'GET', '/kv/slow', null, 2000);
        const expected = `the PUT answered 204, then GET /kv/slow gives ${show(body)}`;
        const got = `the PUT answered ${show(head ?? '(nothing)')}, then GET /kv/slow gave ${describe(get)}`;
        if (!head?.includes(' 204') || get.body.toString() !== body) fail(sent, expected, got, 'The body arrives in pieces: store all of it, up to Content-Length (Go: io.ReadAll(r.Body); Node: collect every "data" chunk until "end"), not what the first read returned.');
        return { sent, expected, got };
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
