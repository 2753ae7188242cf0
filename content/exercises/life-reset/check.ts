/**
 * Checker of life-reset: a TCP line echo server on 127.0.0.1:{port} that, on the line `close`,
 * closes the connection in order (a FIN, after every earlier reply) and, on the line `reset`,
 * aborts it (a RST: the checker's next read fails with ECONNRESET, never an orderly end of stream).
 */
import { connectTcp, endingOf, fail, runChecker, show, sleep, type Conn, type Context } from '../_lib/checker.ts';

const RESET_HINT = 'close() alone sends a FIN, an orderly end of stream. To send a RST, abort the connection: C: setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0}, ...) then close(fd); Go: conn.(*net.TCPConn).SetLinger(0) then Close(); Node: socket.resetAndDestroy() (socket.destroy() sends a FIN).';
const LISTENER_HINT = 'A connection inherits its listening socket\'s options: SO_LINGER {1, 0} set on the listener makes every close a reset. Set it on the one connection being reset, just before closing it.';

async function connect(t: Context): Promise<Conn> {
  const c = await connectTcp(t.addr.port);
  t.defer(() => c.close());
  return c;
}

/** Sends `line` and fails unless "echo: <line>" comes back. */
async function expectEcho(c: Conn, line: string, sent: string): Promise<void> {
  await c.write(`${line}\n`);
  const got = await c.readLine(2000).catch(() => null);
  if (got !== `echo: ${line}`) fail(sent, show(`echo: ${line}\n`), got === null ? `${show(c.pending)}, then ${await endingOf(c, 0)}` : show(`${got}\n`), 'Answer every line with "echo: " and the line, and do not end the connection on ordinary lines.');
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'echo',
      title: 'Echoes lines however they arrive, then closes when the client half-closes',
      run: async (t) => {
        await t.server();
        const c = await connect(t);
        const sent = '"hel" and "lo\\nsecond\\nthi" with pauses, then "rd\\n" and shutdown(SHUT_WR)';
        for (const piece of ['hel', 'lo\nsecond\nthi', 'rd\n']) {
          await c.write(piece);
          await sleep(80);
        }
        c.end();
        const expected = '"echo: hello\\necho: second\\necho: third\\n", then end of stream';
        const got = await c.readToEnd(2000).catch(() => null);
        if (got === null) fail(sent, expected, `${show(c.pending)}, and the connection stayed open`, 'When read() returns 0 (Go: io.EOF; Node: "end") the client has finished: close the connection.');
        if (got.toString() !== 'echo: hello\necho: second\necho: third\n') fail(sent, expected, show(got), 'A read can hold part of a line or several lines: buffer until "\\n" and answer each complete line.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'reset-is-rst',
      title: 'On "reset", aborts the connection: the client\'s next read fails with ECONNRESET',
      run: async (t) => {
        await t.server();
        const c = await connect(t);
        const sent = '"hello\\n", then "reset\\n"';
        await expectEcho(c, 'hello', sent);
        await c.write('reset\n');
        const ending = await endingOf(c, 2000);
        const expected = 'a RST: the read fails with ECONNRESET';
        if (ending === 'FIN') fail(sent, expected, `an orderly end of stream (a FIN)${c.pending.length ? ` after ${show(c.pending)}` : ''}`, RESET_HINT);
        if (ending !== 'RST') fail(sent, expected, ending === 'still open' ? 'the connection was still open 2 s later' : ending, RESET_HINT);
        return { sent, expected, got: 'ECONNRESET' };
      },
    },
    {
      id: 'close-is-fin',
      title: 'On "close", closes in order: every earlier reply, then end of stream (a FIN, not a RST)',
      run: async (t) => {
        await t.server();
        const c = await connect(t);
        const sent = '"one\\ntwo\\nclose\\n" in one write';
        await c.write('one\ntwo\nclose\n');
        const ending = await endingOf(c, 2000);
        const expected = '"echo: one\\necho: two\\n", then end of stream (a FIN)';
        const got = c.pending.toString();
        if (ending === 'RST') fail(sent, expected, `${show(got)}, then a RST (ECONNRESET)`, LISTENER_HINT);
        if (ending !== 'FIN') fail(sent, expected, `${show(got)}, then ${ending === 'still open' ? 'nothing: the connection was still open 2 s later' : ending}`, 'On "close", close the connection yourself (the server closes first): do not wait for the client.');
        if (got !== 'echo: one\necho: two\n') fail(sent, expected, `${show(got)}, then end of stream`, 'Answer every line before the "close" first: they came in the same read.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'only-that-connection',
      title: 'A reset ends only that connection: another client is still answered, and new ones are accepted',
      run: async (t) => {
        await t.server();
        const other = await connect(t);
        await expectEcho(other, 'before', 'a second client sends "before\\n"');
        const doomed = await connect(t);
        await doomed.write('reset\n');
        const sent = 'two clients; the first sends "reset\\n", the second "after\\n", then a third client connects';
        if ((await endingOf(doomed, 2000)) === 'still open') fail(sent, 'the reset connection ends', 'it was still open 2 s later', RESET_HINT);
        const expected = 'the second and third clients are answered';
        if (other.ended) fail(sent, expected, `the second client's connection ended too (${await endingOf(other, 0)})`, 'End only the connection that asked for it.');
        await expectEcho(other, 'after', sent);
        const third = await connect(t).catch((err: Error) => fail(sent, expected, `the third client could not connect: ${err.message}`, 'The server must keep accepting after a reset: a reset is no reason to stop.'));
        await expectEcho(third, 'third', sent);
        return { sent, expected, got: expected };
      },
    },
  ],
});
