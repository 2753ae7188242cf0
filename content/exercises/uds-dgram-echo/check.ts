/**
 * Checker of uds-dgram-echo: a Unix datagram server on {socket} that answers each datagram with
 * "echo: " and its text, to the sender's address, for datagrams up to 60 000 bytes; it replaces a
 * stale file at its path but never a live server's, survives datagrams from senders with no
 * address, and removes its socket file on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fail, makeStaleSocket, refusesLiveSocket, runChecker, sha256, show, stopsOnSigterm, UnixDgram } from '../_lib/checker.ts';

let clients = 0;
function client(t: { scratch: string; defer: (fn: () => void) => void }): UnixDgram {
  const c = new UnixDgram(join(t.scratch, `client-${++clients}.sock`));
  t.defer(() => c.close());
  return c;
}

const REPLY_HINT = 'recvfrom() tells you who sent the datagram (its bound path): answer with sendto() to that address (Go: ReadFromUnix / WriteToUnix; Node unix-dgram: rinfo.path).';

await runChecker({
  readiness: (a) => ({ unixDgram: a.socket }),
  notReadyHint: 'Bind a SOCK_DGRAM Unix socket to the path given on the command line, after removing any file left there (unlink).',
  checks: [
    {
      id: 'stale-file',
      title: 'Starts even when an old file is left at its path',
      run: async (t) => {
        // A socket file nobody is bound to, as a killed server leaves it.
        makeStaleSocket(t.addr.socket);
        const program = t.start();
        t.defer(() => rmSync(t.addr.socket, { force: true }));
        const c = client(t);
        // The old file is a socket too: wait until a datagram sent there is answered.
        const sent = `an old socket file at ${t.addr.socket}, then started ${show(t.command)} and sent "ping"`;
        for (let i = 0; i < 15 && !program.hasExited; i++) {
          await c.send(Buffer.from('ping'), t.addr.socket).catch(() => {});
          const answer = await c.receive(200);
          if (answer) return { sent, expected: 'an answer', got: show(answer.data) };
        }
        fail(sent, 'an answer', program.hasExited ? program.describeExit() : 'no answer within 3 s', 'bind() fails with EADDRINUSE while a file is at the path. Connect a datagram socket to it first: ECONNREFUSED means nobody is bound there, so unlink it and bind.');
      },
    },
    {
      id: 'echo',
      title: 'Answers "hello" with "echo: hello", to the sender',
      run: async (t) => {
        await t.server();
        const c = client(t);
        await c.send(Buffer.from('hello'), t.addr.socket);
        const answer = await c.receive(1500);
        const got = answer ? show(answer.data) : 'no answer within 1.5 s';
        if (answer?.data.toString() !== 'echo: hello') fail('"hello" from a bound client socket', '"echo: hello"', got, answer ? 'Answer "echo: " followed by exactly the bytes received.' : REPLY_HINT);
        return { sent: '"hello" from a bound client socket', expected: '"echo: hello"', got };
      },
    },
    {
      id: 'two-clients',
      title: 'Answers two clients, each at its own address',
      run: async (t) => {
        await t.server();
        const a = client(t);
        const b = client(t);
        await a.send(Buffer.from('from a'), t.addr.socket);
        await b.send(Buffer.from('from b'), t.addr.socket);
        const gotA = (await a.receive(1500))?.data.toString() ?? 'nothing';
        const gotB = (await b.receive(1500))?.data.toString() ?? 'nothing';
        const expected = '"echo: from a" to the first, "echo: from b" to the second';
        if (gotA !== 'echo: from a' || gotB !== 'echo: from b') fail('"from a" and "from b" from two sockets', expected, `${show(gotA)} to the first, ${show(gotB)} to the second`, REPLY_HINT);
        return { sent: '"from a" and "from b" from two sockets', expected, got: expected };
      },
    },
    {
      id: 'empty',
      title: 'Answers an empty datagram, and keeps serving',
      run: async (t) => {
        const server = await t.server();
        const c = client(t);
        await c.send(Buffer.alloc(0), t.addr.socket);
        const first = await c.receive(1500);
        // A server that took the empty datagram for "the client quit" is gone: say so, not ENOENT.
        const again = await c.send(Buffer.from('again'), t.addr.socket).then(() => c.receive(1500), () => null);
        const expected = '"echo: ", then "echo: again"';
        const got = `${first ? show(first.data) : 'nothing'}, then ${again ? show(again.data) : 'nothing'}${server.hasExited ? `; ${server.describeExit()}` : ''}`;
        if (first?.data.toString() !== 'echo: ' || again?.data.toString() !== 'echo: again') fail('an empty datagram, then "again"', expected, got, 'Treating an empty datagram as "the client quit": a datagram of 0 bytes is legal, and recvfrom() returning 0 does not mean anyone quit. Answer it and go on.');
        return { sent: 'an empty datagram, then "again"', expected, got };
      },
    },
    {
      id: 'unbound-sender',
      title: 'Survives a datagram from a sender with no address',
      run: async (t) => {
        const server = await t.server();
        // A socket that never binds has no address to answer to.
        const unbound = spawnSync(process.execPath, ['-e', "const u = require(require('node:module').createRequire('/opt/socketlab/package.json').resolve('unix-dgram')); const s = u.createSocket('unix_dgram'); s.on('error', () => {}); s.send(Buffer.from('who am i'), 0, 8, process.argv[1], () => s.close())", t.addr.socket], { timeout: 3000, encoding: 'utf8' });
        if (unbound.status !== 0) {
          // The package lives elsewhere in this lab: send from a socket we close right away instead.
          const c = new UnixDgram(join(t.scratch, 'gone.sock'));
          await c.send(Buffer.from('who am i'), t.addr.socket).catch(() => {});
          c.close();
        }
        await new Promise((r) => setTimeout(r, 300));
        const c = client(t);
        await c.send(Buffer.from('still there?'), t.addr.socket);
        const answer = await c.receive(1500);
        const sent = '"who am i" from a socket with no address, then "still there?" from a bound one';
        const got = server.hasExited ? server.describeExit() : answer ? show(answer.data) : 'no answer within 1.5 s';
        if (answer?.data.toString() !== 'echo: still there?') fail(sent, '"echo: still there?"', got, 'When the sender has no address (recvfrom() sets the address length to 0, and sendto() to it fails with ENOTCONN; Go: a nil or empty address; Node: no rinfo.path), or sendto() fails, skip the answer and keep serving: never exit on one bad datagram.');
        return { sent, expected: '"echo: still there?"', got };
      },
    },
    {
      id: 'large',
      title: 'Echoes a 60 000-byte datagram whole',
      run: async (t) => {
        await t.server();
        const c = client(t);
        const data = randomBytes(60_000);
        const want = Buffer.concat([Buffer.from('echo: '), data]);
        await c.send(data, t.addr.socket);
        const answer = await c.receive(2000);
        const sent = 'a datagram of 60 000 random bytes';
        const expected = `"echo: " and the same 60 000 bytes (60006 bytes, SHA-256 ${sha256(want)})`;
        const got = answer ? `${answer.data.length} bytes (SHA-256 ${sha256(answer.data)})` : 'no answer within 2 s';
        if (!answer?.data.equals(want)) fail(sent, expected, got, answer && answer.data.length < want.length ? 'A buffer smaller than the datagram: recvfrom() cuts the datagram to the buffer and throws the rest away. Receive into a buffer of 65536 bytes (and answer with the n bytes it returned).' : REPLY_HINT);
        return { sent, expected, got };
      },
    },
    {
      id: 'live-socket',
      title: 'A second copy refuses to take over a live socket',
      timeoutMs: 6000,
      run: (t) =>
        refusesLiveSocket(t, async () => {
          const c = client(t);
          await c.send(Buffer.from('first?'), t.addr.socket).catch(() => {});
          return (await c.receive(1000))?.data.toString() === 'echo: first?';
        }),
    },
    {
      id: 'sigterm',
      title: 'On SIGTERM it exits and removes its socket file',
      run: (t) => stopsOnSigterm(t),
    },
  ],
});
