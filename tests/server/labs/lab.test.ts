/**
 * The lab backend end to end, through the public protocol only (docs/protocol.md), against real
 * bubblewrap sandboxes: terminals sharing a lab, isolation between labs, and the server surviving
 * protocol abuse.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { encode, Op } from '../../../wire/protocol.ts';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: TestServer;
  const terms: TermClient[] = [];
  const open = (lab: LabTicket, termId: string, options = {}) => {
    const t = new TermClient(server.base, lab, termId, options);
    terms.push(t);
    return t;
  };

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600' });
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
      const a = open(lab, 'server');
      const b = open(lab, 'client');
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
      const a = open(labA, 'main');
      const b = open(labB, 'main');
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
      const t = open(lab, 'main');
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
      const t = open(lab, 'main');
      await t.waitFor('$ ');
      const env = await t.sh('printenv');
      assert.doesNotMatch(env, /SOCKETLAB_TEST_SECRET|do-not-leak|npm_|NODE_|GOCACHE=\/root/);
      assert.match(env, /HOME=\/home\/learner/);
      assert.match(await t.sh('id -u; id -un'), /1000\s+learner/);
      await deleteLab(server.base, lab);
    });
  });

  describe('the bridge under abuse', () => {
    let lab: LabTicket;
    before(async () => {
      lab = await createLab(server.base);
    });

    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status?: number; ws?: WebSocket }>((resolve) => {
        const ws = new WebSocket(`${server.base.replace('http', 'ws')}${path}`, { headers });
        ws.on('open', () => resolve({ ws }));
        ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
        ws.on('error', () => {});
      });

    it('refuses a wrong token, an unknown lab, a bad terminal name and a foreign Origin before upgrading', async () => {
      assert.equal((await raw(`/api/labs/${lab.labId}/terminals/a?token=wrong`)).status, 404);
      assert.equal((await raw(`/api/labs/${'0'.repeat(32)}/terminals/a?token=${lab.token}`)).status, 404);
      assert.equal((await raw(`/api/labs/${lab.labId}/terminals/NOT_OK?token=${lab.token}`)).status, 400);
      assert.equal((await raw(`/api/labs/${lab.labId}/terminals/a?token=${lab.token}`, { Origin: 'https://evil.example' })).status, 403);
      const same = await raw(`/api/labs/${lab.labId}/terminals/a?token=${lab.token}`, { Origin: server.base });
      assert.ok(same.ws, 'the site\'s own origin is allowed');
      same.ws!.close();
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
        const t = open(lab, 'abuse');
        await t.opened();
        t.ws.send(frame);
        await t.until(() => t.closed, `close after ${what}`);
        assert.ok(t.errors.length === 1 || what === 'oversized frame', `${what}: expected one ERROR frame, got ${JSON.stringify(t.errors)}`);
      }
      // The same terminal still works, and so does the server.
      const t = open(lab, 'abuse');
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
