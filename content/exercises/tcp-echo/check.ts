/** Checker of tcp-echo: a TCP echo server on 127.0.0.1:{port} that serves many clients at once. */
import { randomBytes } from 'node:crypto';
import { connectTcp, fail, runChecker, sha256, show, sleep, stallReading, writeInPieces, type Conn } from '../_lib/checker.ts';

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'echo-line',
      title: 'Echoes a line back',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        const sent = 'hello, socket\n';
        await c.write(sent);
        const got = await c.read(sent.length, 2000).catch(() => c.pending);
        // Bytes after the echo (a whole buffer written back) arrive at once on loopback.
        if (got.length === sent.length) await sleep(300);
        const extra = c.pending;
        c.close();
        const hint = 'Write back exactly the bytes you read: the count read() returned, not the size of your buffer.';
        if (!got.equals(Buffer.from(sent))) fail(show(sent), show(sent), show(got), hint);
        if (extra.length > 0) fail(show(sent), `${show(sent)} and nothing more`, `${show(got)}, then ${extra.length} more bytes: ${show(extra)}`, hint);
        return { sent: show(sent), expected: `${show(sent)} and nothing more`, got: show(got) };
      },
    },
    {
      id: 'large',
      title: 'Echoes 1 MiB sent in pieces to a client that reads slowly',
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const data = randomBytes(1024 * 1024);
        const sent = `${data.length} random bytes in 16 writes 10 ms apart, read after a 500 ms pause`;
        const reading = c.read(data.length, 6000).catch(() => c.pending);
        // Not reading fills both socket buffers: the server's writes block or come up short.
        const stalled = stallReading(c, 500);
        await writeInPieces(c, data, 16, 10);
        await stalled;
        const got = await reading;
        const expected = `${data.length} bytes back, SHA-256 ${sha256(data)}`;
        if (!got.equals(data)) fail(sent, expected, `${got.length} bytes, SHA-256 ${sha256(got)}`, 'Loop: read what has arrived, write all of it (check how much write() really wrote), and read again until the client closes.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'concurrent',
      title: 'Serves 8 clients connected at the same time',
      run: async (t) => {
        await t.server();
        const conns: Conn[] = [];
        for (let i = 0; i < 8; i++) conns.push(await connectTcp(t.addr.port));
        t.defer(() => conns.forEach((c) => c.close()));
        // Every client is connected before any is answered: a server that serves one client until
        // it leaves never answers the second.
        const answers = await Promise.all(
          conns.map(async (c, i) => {
            const msg = `client ${i}: ${randomBytes(8).toString('hex')}\n`;
            await c.write(msg);
            const got = await c.read(msg.length, 3000).catch(() => c.pending);
            return { msg, got: got.toString() };
          }),
        );
        const wrong = answers.filter((a) => a.got !== a.msg);
        const expected = 'each of the 8 clients gets its own line back while all are connected';
        if (wrong.length > 0) {
          fail('one line from each of 8 clients, all connected at once', expected, `${wrong.length} of 8 got no (or a wrong) answer, e.g. ${show(wrong[0]!.got)} for ${show(wrong[0]!.msg)}`, 'Serve each client on its own: a thread or process per connection (C), a goroutine (Go); in Node every socket has its own "data" events. A loop that echoes one client until it leaves keeps the others waiting.');
        }
        return { sent: 'one line from each of 8 clients, all connected at once', expected, got: 'all 8 answered' };
      },
    },
    {
      id: 'half-close',
      title: 'After the client half-closes, sends the rest and closes',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        const sent = 'last words\n';
        await c.write(sent);
        c.end(); // shutdown(SHUT_WR): no more bytes from the client
        const got = await c.readToEnd(3000).catch(() => null);
        c.close();
        const expected = `${show(sent)}, then end of stream`;
        if (got === null) fail(`${show(sent)}, then shutdown(SHUT_WR)`, expected, `the connection stayed open 3 s after the client finished (received ${show(c.pending)})`, 'When read() returns 0 (EOF; Go: io.EOF; Node: the "end" event) the client has finished: close your side of the connection too.');
        if (got.toString() !== sent) fail(`${show(sent)}, then shutdown(SHUT_WR)`, expected, `${show(got)}, then end of stream`, 'Echo every byte before closing.');
        return { sent: `${show(sent)}, then shutdown(SHUT_WR)`, expected, got: expected };
      },
    },
    {
      id: 'reset',
      title: 'Keeps serving after clients reset their connections in the middle of an echo',
      timeoutMs: 8000,
      run: async (t) => {
        const server = await t.server();
        const sent = '3 clients that each send 4 MiB, read nothing and reset the connection (RST), then a new client with a line';
        const expected = 'the new client gets its line back';
        const hint = 'A client that resets its connection must cost you that connection only: your next read gets ECONNRESET and your next write EPIPE. Ignore SIGPIPE in C (signal(SIGPIPE, SIG_IGN)), handle every socket\'s "error" event in Node, and never exit on one client\'s error.';
        for (let i = 0; i < 3; i++) {
          const c = await connectTcp(t.addr.port).catch(() => null);
          if (!c) fail(sent, expected, `client ${i + 1} was refused: ${server.hasExited ? server.describeExit() : 'the server stopped listening'}`, hint);
          c.socket.pause();
          c.write(randomBytes(4 * 1024 * 1024)).catch(() => {});
          await sleep(250);
          c.socket.resetAndDestroy();
          await sleep(100);
        }
        await sleep(200);
        const line = 'still there?\n';
        const c = await connectTcp(t.addr.port).catch(() => null);
        if (!c) fail(sent, expected, server.hasExited ? server.describeExit() : 'the new client was refused', hint);
        t.defer(() => c.close());
        await c.write(line);
        const got = await c.read(line.length, 2000).catch(() => c.pending);
        if (got.toString() !== line) fail(sent, expected, server.hasExited ? server.describeExit() : `the new client got ${show(got)}`, hint);
        return { sent, expected, got: expected };
      },
    },
  ],
});
