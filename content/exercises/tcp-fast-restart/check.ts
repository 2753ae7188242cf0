/**
 * Checker of tcp-fast-restart: a TCP echo server on 127.0.0.1:{port} that can be killed and
 * restarted at once, while its old connections sit in TIME_WAIT (bind succeeds: SO_REUSEADDR), and
 * that refuses to start a second copy beside a running one (no SO_REUSEPORT).
 */
import { readFileSync } from 'node:fs';
import { connectTcp, fail, NotReady, runChecker, show, sleep, type Context } from '../_lib/checker.ts';

const REUSEADDR_HINT = 'bind() fails with EADDRINUSE while connections of the killed server are still in TIME_WAIT (60 s on Linux). Set SO_REUSEADDR on the listening socket before bind() (Go\'s net.Listen and Node\'s listen() do it for you; a socket built by hand with syscall.Socket does not). Retrying bind() until it works only waits out the 60 s.';

/** How many TCP sockets on `port` (local side) are in `state` (hex, as in /proc/net/tcp: 0A listen, 06 time-wait, 05 fin-wait-2). */
function socketsIn(port: number, states: string[]): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(hex) && states.includes(fields[3] ?? '')) count++;
    }
  }
  return count;
}

/** Sends a line on a new connection, half-closes, and fails unless exactly the line comes back before the end of stream. */
async function echoes(t: Context, sent: string, line: string, hint: string): Promise<void> {
  const c = await connectTcp(t.addr.port).catch((err: Error) => fail(sent, `${show(line)} echoed`, `the connection failed: ${err.message}`, hint));
  t.defer(() => c.close());
  await c.write(line);
  c.end();
  const got = await c.readToEnd(2000).catch(() => null);
  if (got === null) fail(sent, `${show(line)}, then end of stream`, `the connection stayed open after the client finished (received ${show(c.pending)})`, 'When read() returns 0 (Go: io.EOF; Node: "end") the client has finished: close the connection.');
  if (got.toString() !== line) fail(sent, `${show(line)}, then end of stream`, `${show(got)}, then end of stream`, hint);
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'echo',
      title: 'Echoes a line, then closes when the client half-closes',
      run: async (t) => {
        await t.server();
        const line = 'hello, restart\n';
        await echoes(t, `${show(line)}, then shutdown(SHUT_WR)`, line, 'Send back exactly the bytes that arrived, then close when the client has finished.');
        return { sent: `${show(line)}, then shutdown(SHUT_WR)`, expected: `${show(line)}, then end of stream`, got: `${show(line)}, then end of stream` };
      },
    },
    {
      id: 'second-copy-refused',
      title: 'A second copy started beside a running server fails with "address in use", and the first keeps serving',
      timeoutMs: 9000,
      run: async (t) => {
        await t.server();
        const second = t.start();
        const sent = `started ${show(t.command)} a second time while the first copy was running`;
        const expected = 'the second copy exits with a non-zero code within 4 s, saying the address is in use';
        if (!(await second.exitsWithin(4000))) {
          const listeners = socketsIn(t.addr.port, ['0A']);
          if (listeners > 1) fail(sent, expected, `both copies were listening on port ${t.addr.port} (${listeners} listening sockets)`, 'SO_REUSEPORT lets several sockets listen on one port and shares the connections between them: a second copy starts silently and takes half the clients. A restart needs SO_REUSEADDR only (Node: no reusePort option).');
          fail(sent, expected, `the second copy was still running 4 s later${second.output.trim() ? `; it printed ${show(second.output.trim().slice(-300))}` : ''}`, 'When bind() (or listen) fails with EADDRINUSE, another server has the port: print the error and exit with code 1. Retrying for ever hides the conflict from whoever started the program.');
        }
        if (second.exitCode === 0 || second.exitSignal) fail(sent, expected, second.describeExit(), 'Exit with code 1 when bind() fails, so that a script or service manager sees the failure.');
        if (!/in use|EADDRINUSE/i.test(second.output)) fail(sent, expected, second.describeExit(), 'Say why it failed: print the error (C: perror("bind") or strerror(errno); Go: the error from net.Listen; Node: the "error" event\'s message) to stderr.');
        const line = 'still the first\n';
        await echoes(t, `${sent}, then ${show(line)} to the port`, line, 'The first copy must keep serving after the second one failed to start.');
        return { sent, expected, got: second.describeExit() };
      },
    },
    {
      id: 'restart-after-kill',
      title: 'Killed with SIGKILL while clients are connected, it starts again at once on the same port',
      timeoutMs: 14000,
      run: async (t) => {
        await t.server();
        const clients = [];
        for (let i = 0; i < 3; i++) {
          const c = await connectTcp(t.addr.port);
          t.defer(() => c.close());
          const line = `client ${i}\n`;
          await c.write(line);
          await c.read(line.length, 2000);
          clients.push(c);
        }
        // Killed, the server's kernel closes its side first: its connections go to TIME_WAIT.
        await t.stopServer();
        for (const c of clients) {
          await c.closesWithin(1000);
          c.close();
        }
        await sleep(100);
        const waiting = socketsIn(t.addr.port, ['06', '05']);
        const sent = `3 clients connected and echoed, the server killed with SIGKILL (${waiting} of its connections then in TIME_WAIT or FIN_WAIT2), then started again at once`;
        const expected = 'listening again within 5 s, and echoing';
        // 5 s, not "at once": a loaded machine can take seconds to start Node or Go's runtime, and
        // TIME_WAIT lasts 60 s, so a bind retried until it ends still fails here.
        const again = t.start();
        try {
          await t.ready(again, 5000);
        } catch (err) {
          if (!(err instanceof NotReady)) throw err;
          fail(sent, expected, err.message, REUSEADDR_HINT);
        }
        const line = 'back again\n';
        await echoes(t, `${sent}, then ${show(line)}`, line, 'Once restarted, serve as before.');
        return { sent, expected, got: expected };
      },
    },
  ],
});
