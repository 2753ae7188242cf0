/**
 * The lab backend end to end, through the public protocol only (docs/protocol.md), against real
 * bubblewrap sandboxes: terminals sharing a lab, isolation between labs, and the server surviving
 * protocol abuse.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it, mock } from 'node:test';
import WebSocket from 'ws';
import { encode, Op } from '../../../wire/protocol.ts';
import { createLab, deleteLab, TermClient, terminalTicket } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: TestServer;
  const terms: TermClient[] = [];
  const open = async (lab: LabTicket, termId: string, options = {}) => {
    const t = await TermClient.open(server.base, lab, termId, options);
    terms.push(t);
    return t;
  };

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600', LAB_WARM_POOL: '2' }); // labs come from the pool, held shells and all
  });
  after(async () => {
    for (const t of terms) t.close();
    await server.stop();
  });

  describe('a lab', () => {
    it('answers /healthz', async () => {
      const res = await fetch(`${server.base}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { driver: string }).driver, driver);
    });

    it('runs a server in one terminal and its client in another (TCP and a Unix socket)', async () => {
      const lab = await createLab(server.base);
      const a = await open(lab, 'server');
      const b = await open(lab, 'client');
      await Promise.all([a.waitFor('$ '), b.waitFor('$ ')]);
      a.type('cd ~/examples/tcp/c && gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c && ./server 9090\r');
      await a.waitFor('listening on', 30_000);
      b.type('cd ~/examples/tcp/c && gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c && ./client 127.0.0.1 9090\r');
      await b.waitFor('connected to', 30_000);
      b.type('hello from b\r');
      await b.waitFor('echo: hello from b');
      await a.waitFor('says: hello from b');
      a.type('\x03');
      b.type('\x04');
      // A Unix socket made in one terminal is visible in the other: same files, same network.
      const from = b.output.length;
      b.type('socat UNIX-LISTEN:/tmp/x.sock,fork EXEC:cat &\r');
      await b.sh('sleep 0.3');
      assert.match(await a.sh('echo ping | socat - UNIX-CONNECT:/tmp/x.sock'), /ping/);
      assert.ok(b.output.length >= from);
      assert.equal(await deleteLab(server.base, lab), 204);
    });

    it('keeps labs apart: same port in both, no shared files, processes or abstract sockets', async () => {
      const labA = await createLab(server.base);
      const labB = await createLab(server.base);
      const a = await open(labA, 'main');
      const b = await open(labB, 'main');
      await Promise.all([a.waitFor('$ '), b.waitFor('$ ')]);
      a.type('socat TCP-LISTEN:7000,bind=127.0.0.1,fork EXEC:"echo lab-a" &\r');
      b.type('socat TCP-LISTEN:7000,bind=127.0.0.1,fork EXEC:"echo lab-b" &\r');
      await a.sh('sleep 0.3');
      await b.sh('sleep 0.3');
      assert.match(await a.sh('socat - TCP:127.0.0.1:7000'), /lab-a/);
      assert.match(await b.sh('socat - TCP:127.0.0.1:7000'), /lab-b/);
      await a.sh('touch /tmp/secret-a ~/mine-a; socat ABSTRACT-LISTEN:only-a,fork EXEC:cat & sleep 0.2');
      const seenFromB = await b.sh('ls /tmp ~; ps ax; ss -xl');
      assert.doesNotMatch(seenFromB, /secret-a|mine-a|only-a/);
      assert.match(await b.sh('echo x | socat - ABSTRACT-CONNECT:only-a 2>&1 || echo refused'), /refused|Connection refused/);
      await deleteLab(server.base, labA);
      await deleteLab(server.base, labB);
    });

    it('cannot reach the host: not its loopback services, not the Docker socket, not its files', async () => {
      const host = createServer((s) => s.end('host-secret\n'));
      host.listen(0, '127.0.0.1');
      await once(host, 'listening');
      after(() => host.close());
      const port = (host.address() as { port: number }).port;
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      const out = await t.sh(`socat -T1 - TCP:127.0.0.1:${port} 2>&1; ls -la /var/run/docker.sock /run/docker.sock 2>&1; ls /work /root 2>&1; ip route 2>&1; cat /etc/shadow 2>&1 | head -1`);
      assert.doesNotMatch(out, /host-secret/);
      assert.match(out, /Connection refused/);
      assert.match(out, /docker\.sock'?: No such file/);
      assert.match(out, /\/work'?: No such file/);
      assert.doesNotMatch(out, /default via/);
      await deleteLab(server.base, lab);
    });

    it('clears the environment of anything of the server\'s', async () => {
      process.env.SOCKETLAB_TEST_SECRET = 'do-not-leak';
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      const env = await t.sh('printenv');
      assert.doesNotMatch(env, /SOCKETLAB_TEST_SECRET|do-not-leak|npm_|NODE_|GOCACHE=\/root/);
      assert.match(env, /HOME=\/home\/learner/);
      // `learner` in both; uid 1000 in a bwrap lab's user namespace, the lab's own host uid (300000 up) in a Docker lab.
      assert.match(await t.sh('id -u; id -un'), driver === 'bwrap' ? /\b1000\s+learner/ : /\b3\d{5}\s+learner/);
      await deleteLab(server.base, lab);
    });
  });

  describe('the bridge under abuse', () => {
    let lab: LabTicket;
    before(async () => {
      lab = await createLab(server.base);
    });

    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status?: number; reason?: string; ws?: WebSocket }>((resolve) => {
        const ws = new WebSocket(`${server.base.replace('http', 'ws')}${path}`, { headers });
        ws.on('open', () => resolve({ ws }));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, reason: (JSON.parse(body) as { reason: string }).reason }));
        });
        ws.on('error', () => {});
      });
    const ticket = async (someLab: LabTicket, termId: string) => (await terminalTicket(server.base, someLab, termId)).ticket;
    const withTicket = (someLab: LabTicket, termId: string, value: string) => `/api/labs/${someLab.labId}/terminals/${termId}?ticket=${encodeURIComponent(value)}`;

    it('refuses a bad terminal name and a foreign Origin before upgrading', async () => {
      assert.equal((await raw(withTicket(lab, 'NOT_OK', await ticket(lab, 'a')))).status, 400);
      assert.equal((await raw(withTicket(lab, 'a', await ticket(lab, 'a')), { Origin: 'https://evil.example' })).status, 403);
      const same = await raw(withTicket(lab, 'a', await ticket(lab, 'a')), { Origin: server.base });
      assert.ok(same.ws, 'the site\'s own origin is allowed');
      same.ws!.close();
    });

    it('opens a terminal with a one-time ticket only: the token in the URL, a reused, expired, unknown or another terminal\'s or lab\'s ticket are refused', async () => {
      const token = await raw(`/api/labs/${lab.labId}/terminals/a?token=${lab.token}`);
      assert.deepEqual(token, { status: 400, reason: 'token-in-url' }, 'the lab token must stay out of URLs');
      assert.equal((await raw(`/api/labs/${lab.labId}/terminals/a`)).status, 403, 'no ticket');
      assert.equal((await raw(withTicket(lab, 'a', 'made-up'))).reason, 'ticket');

      const once = await ticket(lab, 'a');
      const first = await raw(withTicket(lab, 'a', once));
      assert.ok(first.ws, 'a fresh ticket opens its terminal');
      first.ws!.close();
      assert.deepEqual(await raw(withTicket(lab, 'a', once)), { status: 403, reason: 'ticket' }, 'a ticket works once');

      assert.equal((await raw(withTicket(lab, 'b', await ticket(lab, 'a')))).status, 403, 'another terminal\'s ticket');
      const other = await createLab(server.base);
      try {
        assert.equal((await raw(withTicket(other, 'a', await ticket(lab, 'a')))).status, 403, 'another lab\'s ticket');
        const ofOther = await ticket(other, 'a');
        assert.equal((await raw(`/api/labs/${lab.labId}/terminals/a?ticket=${ofOther}`)).status, 403, 'a ticket of lab B on lab A');
      } finally {
        await deleteLab(server.base, other);
      }

      const stale = await ticket(lab, 'a');
      const realNow = Date.now;
      const later = realNow() + 31_000;
      mock.method(Date, 'now', () => later); // the server's clock, 31 s on: past the ticket's 30 s
      try {
        assert.equal((await raw(withTicket(lab, 'a', stale))).status, 403, 'an expired ticket');
      } finally {
        mock.restoreAll();
      }
    });

    it('asks for tickets with the lab token, and keeps a bounded number per lab', async () => {
      const post = (termId: string, token: string) => fetch(`${server.base}/api/labs/${lab.labId}/terminals/${termId}/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await post('a', 'wrong')).status, 404);
      assert.equal((await post('NOT_OK', lab.token)).status, 400);
      const issued = [];
      for (let i = 0; i < 20; i++) issued.push(await ticket(lab, 'bound'));
      // 16 unused tickets at most: the oldest 4 were dropped.
      assert.equal((await raw(withTicket(lab, 'bound', issued[3]!))).status, 403, 'an old ticket past the bound');
      const newest = await raw(withTicket(lab, 'bound', issued[19]!));
      assert.ok(newest.ws, 'the newest ticket still works');
      newest.ws!.close();
    });

    it('answers each bad frame with an ERROR and a close, and keeps serving', async () => {
      const bad: [string, Uint8Array | string][] = [
        ['unknown opcode', new Uint8Array([0x42, 1, 2, 3])],
        ['empty frame', new Uint8Array([])],
        ['bad JSON', new Uint8Array([Op.RESIZE, 0x7b, 0x7b])],
        ['resize 0', encode.resize({ cols: 0, rows: 0 })],
        ['resize 65535', encode.resize({ cols: 65535, rows: 65535 })],
        ['resize NaN', new Uint8Array([Op.RESIZE, ...Buffer.from('{"cols":"NaN","rows":null}')])],
        ['text frame', 'hello'],
        ['oversized frame', new Uint8Array(200 * 1024)],
        ['random bytes', new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) % 256 | 0x40))],
      ];
      for (const [what, frame] of bad) {
        const t = await open(lab, 'abuse');
        await t.opened();
        t.ws.send(frame);
        await t.until(() => t.closed, `close after ${what}`);
        assert.ok(t.errors.length === 1 || what === 'oversized frame', `${what}: expected one ERROR frame, got ${JSON.stringify(t.errors)}`);
      }
      // The same terminal still works, and so does the server.
      const t = await open(lab, 'abuse');
      await t.opened();
      assert.match(await t.sh('echo still-here'), /still-here/);
      const res = await fetch(`${server.base}/healthz`);
      assert.equal(res.status, 200);
    });

    it('does not guess lab ids: DELETE with a wrong token is refused', async () => {
      const res = await fetch(`${server.base}/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: 'Bearer nope' } });
      assert.equal(res.status, 404);
      assert.equal(await deleteLab(server.base, lab), 204);
    });
  });
});
