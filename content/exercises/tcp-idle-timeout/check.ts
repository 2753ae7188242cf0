/**
 * Checker of tcp-idle-timeout: a TCP echo server on 127.0.0.1:{port} that closes a connection
 * from which no byte has arrived for 2 s (1.5 to 3 s counts), while it keeps serving the others.
 */
import { connectTcp, fail, runChecker, sleep, show, type Conn, type Context } from '../_lib/checker.ts';

const IDLE_MS = 2000;
/**
 * What counts as "2 s": from 0.5 s early to 1 s late. Late gets more because the checker measures
 * from its own side, and on a busy machine both processes wake up late; a server that times clients
 * out one after another is still seconds late.
 */
const EARLY_MS = IDLE_MS - 500;
const LATE_MS = IDLE_MS + 1000;

const PER_CONNECTION_HINT = 'Each connection needs its own idle timer, restarted by its own bytes: a single poll() timeout for the whole server never expires while any client is talking. Keep, per client, the time its last byte arrived (C: SO_RCVTIMEO on each socket, or a deadline per client in the poll loop; Go: SetReadDeadline before each Read; Node: socket.setTimeout).';
const BLOCKING_HINT = 'A silent client must not hold up the others: serve each client on its own (a thread per client or poll() in C, a goroutine in Go). A server that waits in one client\'s recv() until that client times out keeps everyone else waiting.';

/** Connects and returns the connection and when it was made. */
async function connect(t: Context): Promise<{ c: Conn; at: number }> {
  const c = await connectTcp(t.addr.port);
  t.defer(() => c.close());
  return { c, at: Date.now() };
}

/** Milliseconds from `since` until the server closes `c`, or null if it is still open after `ms`. */
async function closedAfter(c: Conn, since: number, ms: number): Promise<number | null> {
  return (await c.closesWithin(ms - (Date.now() - since))) ? Date.now() - since : null;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Fails unless `closed` (ms after the last byte or connect) is within 2 s +- 0.5. */
function expectIdleClose(sent: string, closed: number | null, neverHint: string): { sent: string; expected: string; got: string } {
  const expected = `the server closes the connection ${seconds(EARLY_MS)} to ${seconds(LATE_MS)} after the last byte`;
  if (closed === null) fail(sent, expected, `the connection was still open ${seconds(LATE_MS)} after the last byte`, neverHint);
  if (closed < EARLY_MS) fail(sent, expected, `closed after ${seconds(closed)}`, 'Too early: wait 2 s of silence (2000 ms; check the unit: SO_RCVTIMEO takes a struct timeval, poll() milliseconds, Go a time.Duration).');
  if (closed > LATE_MS) fail(sent, expected, `closed after ${seconds(closed)}`, 'Too late: close after 2 s of silence, not later.');
  return { sent, expected, got: `closed after ${seconds(closed)}` };
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'echo',
      title: 'Echoes what a client sends, then closes when the client half-closes',
      run: async (t) => {
        await t.server();
        const { c } = await connect(t);
        const sent = 'hello, idle timer\n';
        await c.write(sent.slice(0, 7));
        await sleep(100);
        await c.write(sent.slice(7));
        c.end();
        const got = await c.readToEnd(1500).catch(() => null);
        const expected = `${show(sent)}, then end of stream`;
        if (got === null) fail(`${show(sent)} in two writes, then shutdown(SHUT_WR)`, expected, `the connection stayed open after the client finished (received ${show(c.pending)})`, 'When read() returns 0 (Go: io.EOF; Node: "end") the client has finished: close the connection.');
        if (got.toString() !== sent) fail(`${show(sent)} in two writes, then shutdown(SHUT_WR)`, expected, `${show(got)}, then end of stream`, 'Send back exactly the bytes that arrived: the count read() returned, every one of them.');
        return { sent: `${show(sent)} in two writes, then shutdown(SHUT_WR)`, expected, got: expected };
      },
    },
    {
      id: 'closes-silent',
      title: 'Closes a client that sends nothing after 2 s (+- 0.5 s)',
      run: async (t) => {
        await t.server();
        const { c, at } = await connect(t);
        return expectIdleClose('connected and sent nothing', await closedAfter(c, at, LATE_MS + 100), 'The server never closed a silent client. Node: setTimeout() only emits "timeout", it closes nothing: call socket.destroy() there. C: a recv() with no timeout waits forever; set SO_RCVTIMEO (a struct timeval) or use poll() with a deadline. Go: SetReadDeadline, and close when Read returns a timeout error. SO_KEEPALIVE is no idle timeout: a silent but healthy peer answers its probes.');
      },
    },
    {
      id: 'bytes-restart-timer',
      title: 'Each byte restarts the timer: a client that sends a byte every 0.6 s stays connected',
      timeoutMs: 10000,
      run: async (t) => {
        await t.server();
        const { c, at } = await connect(t);
        const bytes = 'slowly..';
        const sent = `${show(bytes)}, one byte every 600 ms (no newline), then nothing`;
        for (const byte of bytes) {
          await sleep(600);
          if (c.ended) fail(sent, `the connection stays open while bytes arrive, then closes 2 s after the last`, `the server closed it ${seconds(Date.now() - at)} after connecting, while a byte arrived every 0.6 s`, 'Restart the timer on every byte received, not once per connection or once per line: set the deadline before each read (Go: SetReadDeadline before each Read, not one per bufio.Scanner line; Node: socket.setTimeout restarts by itself, a setTimeout() started at connect does not; C: SO_RCVTIMEO applies to each recv()).');
          await c.write(byte);
        }
        const last = Date.now();
        const echoed = await c.read(bytes.length, 1000).catch(() => c.pending);
        if (echoed.toString() !== bytes) fail(sent, `${show(bytes)} echoed`, show(echoed), 'Echo every byte as soon as it arrives: do not wait for a whole line.');
        return expectIdleClose(sent, await closedAfter(c, last, LATE_MS + 100), 'After the last byte the connection must still close 2 s later.');
      },
    },
    {
      id: 'silent-among-active',
      title: 'Closes a silent client on time while another client keeps talking, and answers that one at once',
      timeoutMs: 6000,
      run: async (t) => {
        await t.server();
        const silent = await connect(t);
        const active = await connect(t);
        const sent = 'a silent client, and a second one sending a line every 300 ms for 3 s';
        let silentClosed: number | null = null;
        void silent.c.closesWithin(LATE_MS + 1000).then((closed) => {
          if (closed) silentClosed = Date.now() - silent.at;
        });
        for (let i = 0; Date.now() - active.at < 3000; i++) {
          const line = `line ${i}\n`;
          const asked = Date.now();
          await active.c.write(line);
          const got = await active.c.read(line.length, 1000).catch(() => active.c.pending);
          if (got.toString() !== line) fail(sent, `each line echoed within 1 s`, `line ${i} (${seconds(asked - active.at)} after connecting): got ${show(got)}${active.c.ended ? ', and the connection closed' : ''}`, active.c.ended ? PER_CONNECTION_HINT : BLOCKING_HINT);
          await sleep(300);
        }
        return expectIdleClose(sent, silentClosed, PER_CONNECTION_HINT);
      },
    },
    {
      id: 'many-silent',
      title: 'Closes 6 silent clients connected at once, each after 2 s',
      run: async (t) => {
        await t.server();
        const clients = await Promise.all(Array.from({ length: 6 }, () => connect(t)));
        const closed = await Promise.all(clients.map(({ c, at }) => closedAfter(c, at, LATE_MS + 100)));
        const sent = '6 clients connected at once, all silent';
        const late = closed.filter((ms) => ms === null || ms > LATE_MS).length;
        if (late > 0) fail(sent, 'each closed about 2 s after it connected', `${late} of 6 were still open after ${seconds(LATE_MS)}`, BLOCKING_HINT);
        const worst = Math.max(...(closed as number[]));
        const best = Math.min(...(closed as number[]));
        return expectIdleClose(sent, best < EARLY_MS ? best : worst, PER_CONNECTION_HINT);
      },
    },
  ],
});
