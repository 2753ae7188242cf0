/** Checker of tcp-echo: a TCP echo server on 127.0.0.1:{port} that serves many clients at once. */
import { randomBytes } from 'node:crypto';
import { connectTcp, fail, runChecker, show, type Conn } from '../_lib/checker.ts';

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
        c.close();
        if (!got.equals(Buffer.from(sent))) fail(show(sent), show(sent), show(got), 'Write back exactly the bytes you read: the count read() returned, not the size of your buffer.');
        return { sent: show(sent), expected: show(sent), got: show(got) };
      },
    },
    {
      id: 'large',
      title: 'Echoes 256 KiB, even though one read() never returns it all',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        const data = randomBytes(256 * 1024);
        const reading = c.read(data.length, 4000).catch(() => c.pending);
        await c.write(data);
        const got = await reading;
        c.close();
        const expected = `${data.length} bytes back, identical`;
        if (!got.equals(data)) fail(`${data.length} random bytes`, expected, `${got.length} bytes${got.length === data.length ? ', different' : ''}`, 'Loop: read what has arrived, write all of it (check how much write() really wrote), and read again until the client closes.');
        return { sent: `${data.length} random bytes`, expected, got: expected };
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
  ],
});
