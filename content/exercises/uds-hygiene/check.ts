/**
 * Checker of uds-hygiene: a Unix stream echo server on {socket} that cleans up after itself:
 * replaces a stale socket file, refuses to steal a live one, makes the socket mode 0660, serves
 * clients at once, echoes exactly what it got (nothing more, however much, however slowly read),
 * survives clients that leave mid-echo, and removes its socket file on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { canConnect, connectUnix, fail, refusesLiveSocket, runChecker, sha256, show, sleep, stallReading, startsOverStaleFile, stopsOnSigterm, type Conn } from '../_lib/checker.ts';

const STALE_HINT = 'A socket file left by a crashed server makes bind() fail with EADDRINUSE. Before binding, try to connect to the path: ECONNREFUSED means the file is stale, so unlink it and bind; a successful connect means another server is alive, so exit with an error.';

/** Sends `data`, half-closes, and reads everything until the server closes its side. */
async function echoOf(c: Conn, data: Buffer, ms: number): Promise<Buffer> {
  await c.write(data);
  c.end();
  return c.readToEnd(ms).catch(() => Buffer.from(c.pending));
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: STALE_HINT,
  checks: [
    {
      id: 'stale-file',
      title: 'Starts even when a stale socket file is in the way',
      run: (t) => startsOverStaleFile(t, STALE_HINT),
    },
    {
      id: 'echo',
      title: 'Echoes exactly what a client sends, and nothing more',
      run: async (t) => {
        await t.server();
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const sent = 'hello, unix\n';
        const got = await echoOf(c, Buffer.from(sent), 2000);
        const what = `${show(sent)}, then the end of its input (shutdown)`;
        const expected = `${show(sent)}, then the end of the stream`;
        if (got.length > sent.length && got.subarray(0, sent.length).toString() === sent) fail(what, expected, `${show(got)}: ${got.length - sent.length} bytes too many`, 'Writing the buffer\'s size instead of the message\'s length: write back the n bytes read() returned, not sizeof buf.');
        if (got.toString() !== sent) fail(what, expected, show(got), 'Write back exactly the bytes you read, in a loop until the client closes; then close the connection.');
        return { sent: what, expected, got: show(got) };
      },
    },
    {
      id: 'mode-0660',
      title: 'The socket file has mode 0660 (owner and group only)',
      run: async (t) => {
        await t.server();
        const mode = statSync(t.addr.socket).mode & 0o777;
        const got = `mode 0${mode.toString(8)}`;
        if (mode !== 0o660) fail(`stat ${t.addr.socket}`, 'mode 0660', got, 'Connecting to a Unix socket needs write permission on its file. After bind() (Go: Listen, Node: listen), chmod the path to 0660; or set umask(0117) around bind() in C.');
        return { sent: `stat ${t.addr.socket}`, expected: 'mode 0660', got };
      },
    },
    {
      id: 'live-socket',
      title: 'A second copy refuses to take over a live socket',
      timeoutMs: 6000,
      run: (t) => refusesLiveSocket(t, () => canConnect(t.addr.socket, 1000)),
    },
    {
      id: 'concurrent',
      title: 'Serves a second client while the first stays connected',
      run: async (t) => {
        await t.server();
        const first = await connectUnix(t.addr.socket);
        t.defer(() => first.close());
        await first.write('first\n');
        await first.read(6, 2000).catch(() => {});
        const second = await connectUnix(t.addr.socket);
        t.defer(() => second.close());
        await second.write('second\n');
        const got = await second.read(7, 1500).catch(() => Buffer.from(second.pending));
        const sent = 'a first client connects and stays; a second sends "second\\n"';
        if (got.toString() !== 'second\n') fail(sent, 'the second gets "second\\n" back at once', got.length ? show(got) : 'nothing within 1.5 s', 'Serving one client at a time: while your server loops on the first client, the second waits in the backlog. Serve each connection on its own thread (C: pthread_create), goroutine (Go: go handle(conn)) or callback (Node).');
        return { sent, expected: 'the second gets "second\\n" back at once', got: show(got) };
      },
    },
    {
      id: 'backpressure',
      title: 'Echoes 4 MiB to a client that reads slowly, every byte in order',
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const data = randomBytes(4 << 20);
        // Nothing is read for a while: the server's writes block, and it must neither drop bytes nor give up.
        const stalled = stallReading(c, 1000);
        const writing = c.write(data).then(() => c.end());
        await stalled;
        await writing;
        const got = await c.readToEnd(5000).catch(() => Buffer.from(c.pending));
        const sent = '4 MiB of random bytes, not read back for 1 s, then the end of input';
        const expected = `the same 4194304 bytes (SHA-256 ${sha256(data)}), then the end of the stream`;
        if (!got.equals(data)) fail(sent, expected, `${got.length} bytes (SHA-256 ${sha256(got)})`, got.length < data.length ? 'A short write is not an error: write() may send fewer bytes than asked when the client reads slowly. Loop until every byte is written (and keep reading until the client closes).' : 'Write back exactly the bytes each read() returned, in order.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'peer-gone',
      title: 'Keeps serving after clients leave in the middle of an echo',
      run: async (t) => {
        const server = await t.server();
        for (let i = 0; i < 20 && !server.hasExited; i++) {
          const c = await connectUnix(t.addr.socket).catch(() => null);
          if (!c) break; // the server is gone already: said below
          // Closes right after sending, with nothing unread: the echo goes to a closed peer (EPIPE).
          void c.write('x'.repeat(4000)).catch(() => {});
          c.close();
          await sleep(10);
        }
        await server.exitsWithin(300);
        const sent = '20 clients that each send 4000 bytes and close at once, before the echo, then a new client';
        const expected = 'the new client is served';
        if (server.hasExited) fail(sent, expected, server.describeExit(), server.exitSignal === 'SIGPIPE' ? 'A write to a client that has gone raises SIGPIPE, which kills the process: ignore it (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL, and treat EPIPE as "this client is gone".' : 'A client that leaves is not a reason to stop: on a read or write error, close that connection and keep accepting.');
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        await c.write('still there?\n');
        const got = await c.read(13, 1500).catch(() => Buffer.from(c.pending));
        if (got.toString() !== 'still there?\n') fail(sent, expected, got.length ? show(got) : 'no echo within 1.5 s', 'A client that leaves is not a reason to stop: on a read or write error, close that connection and keep accepting.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'sigterm',
      title: 'On SIGTERM it exits and removes its socket file',
      run: (t) => stopsOnSigterm(t),
    },
  ],
});
