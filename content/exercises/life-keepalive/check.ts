/**
 * Checker of life-keepalive: a TCP line echo server on 127.0.0.1:{port} whose connections have
 * keepalive with an idle time of 2 s and an interval of 1 s. The checker trusts nothing the program
 * prints: it reads the kernel's own timer of the server's side of its connection from
 * /proc/net/tcp (the lab's network namespace), as `ss -to` does.
 */
import { connectTcp, fail, kernelSocket, runChecker, show, sleep, type Conn, type Context, type KernelSocket } from '../_lib/checker.ts';

const IDLE = 2;
const INTERVAL = 1;
/** The timer is read a moment after the server set it: up to 0.8 s of that counts as on time. */
const SLACK = 0.8;

const NO_KEEPALIVE_HINT = 'Turn keepalive on for each accepted connection: C: setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one); Go 1.23: net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{Enable: true, ...}}; Node: socket.setKeepAlive(true, ms).';
const IDLE_HINT = 'Set the idle time to 2 s: C: TCP_KEEPIDLE (whole seconds; without it Linux waits 7200 s); Go: Idle: 2 * time.Second (a bare 2 is 2 ns, rounded up to 1 s; left out, Go uses 15 s); Node: setKeepAlive(true, 2000), in milliseconds (setKeepAlive(true, 2) sets no idle time at all: 2 ms is 0 s, which means "keep the default", 7200 s).';
const INTERVAL_HINT = 'Set the interval between probes to 1 s: C: TCP_KEEPINTVL (without it Linux waits 75 s between probes); Go: Interval: time.Second (left out, Go uses 15 s). Node always uses 1 s.';

async function connect(t: Context): Promise<Conn> {
  const c = await connectTcp(t.addr.port);
  t.defer(() => c.close());
  return c;
}

/** Connects and has one line echoed, so the server has accepted the connection and set it up. */
async function connectedAndAnswered(t: Context, sent: string): Promise<Conn> {
  const c = await connect(t);
  await c.write('hello\n');
  const got = await c.readLine(2000).catch(() => null);
  if (got !== 'echo: hello') fail(sent, '"echo: hello\\n"', got === null ? show(c.pending) : show(`${got}\n`), 'Answer every line with "echo: " and the line.');
  return c;
}

/** The server's side of `c`, as the kernel shows it. */
function serverSide(t: Context, c: Conn, sent: string): KernelSocket {
  const found = kernelSocket(t.addr.port, c.socket.localPort!);
  if (found === null) fail(sent, 'the server\'s socket in /proc/net/tcp', 'no such socket', 'Keep the connection open while the client is connected.');
  return found;
}

function describeTimer(s: KernelSocket): string {
  if (s.timer === 2) return `its keepalive timer fires in ${s.timerSeconds.toFixed(2)} s`;
  return s.timer === 0 ? 'no timer is running on it: keepalive is off' : `timer ${s.timer} (not keepalive) is running`;
}

/** Fails unless the server's side of `c` runs a keepalive timer due in about `IDLE` s. */
function expectIdle(t: Context, c: Conn, sent: string): KernelSocket {
  const s = serverSide(t, c, sent);
  const expected = `a keepalive timer due in ${IDLE - SLACK} to ${IDLE} s`;
  if (s.timer !== 2) fail(sent, expected, describeTimer(s), NO_KEEPALIVE_HINT);
  if (s.timerSeconds > IDLE + 0.05 || s.timerSeconds < IDLE - SLACK) fail(sent, expected, describeTimer(s), IDLE_HINT);
  return s;
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
        const sent = '"hel" and "lo\\nsecond\\n" with a pause, then shutdown(SHUT_WR)';
        await c.write('hel');
        await sleep(80);
        await c.write('lo\nsecond\n');
        c.end();
        const expected = '"echo: hello\\necho: second\\n", then end of stream';
        const got = await c.readToEnd(2000).catch(() => null);
        if (got === null) fail(sent, expected, `${show(c.pending)}, and the connection stayed open`, 'When read() returns 0 (Go: io.EOF; Node: "end") the client has finished: close the connection.');
        if (got.toString() !== 'echo: hello\necho: second\n') fail(sent, expected, show(got), 'A read can hold part of a line or several lines: buffer until "\\n" and answer each complete line.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'keepalive-on',
      title: 'Every connection has keepalive on: the kernel runs a keepalive timer on the server\'s side',
      run: async (t) => {
        await t.server();
        const sent = 'two clients connect and each has a line echoed; the checker reads /proc/net/tcp';
        const first = await connectedAndAnswered(t, sent);
        const second = await connectedAndAnswered(t, sent);
        const timers = [serverSide(t, first, sent), serverSide(t, second, sent)];
        const expected = 'a keepalive timer on the server\'s side of both connections';
        const off = timers.findIndex((s) => s.timer !== 2);
        if (off >= 0) fail(sent, expected, `connection ${off + 1}: ${describeTimer(timers[off]!)}`, NO_KEEPALIVE_HINT);
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'idle-2s',
      title: `The first probe is due ${IDLE} s after the connection fell silent (TCP_KEEPIDLE)`,
      run: async (t) => {
        await t.server();
        const sent = 'a client connects, has a line echoed, and falls silent; the checker reads /proc/net/tcp';
        const s = expectIdle(t, await connectedAndAnswered(t, sent), sent);
        return { sent, expected: `a keepalive timer due in ${IDLE - SLACK} to ${IDLE} s`, got: describeTimer(s) };
      },
    },
    {
      id: 'interval-1s',
      title: `After the first probe, the next is due within ${INTERVAL} s (TCP_KEEPINTVL)`,
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        const sent = `a client connects and stays silent past the first probe (${IDLE} s); the checker reads /proc/net/tcp then`;
        const c = await connectedAndAnswered(t, sent);
        const before = expectIdle(t, c, sent);
        // The probe goes out when the timer fires; the checker's kernel answers it at once, and the
        // timer is set again to the interval.
        await sleep(before.timerSeconds * 1000 + 300);
        const after = serverSide(t, c, sent);
        const expected = `a keepalive timer due within ${INTERVAL} s`;
        if (after.timer !== 2) fail(sent, expected, describeTimer(after), NO_KEEPALIVE_HINT);
        if (after.timerSeconds > INTERVAL + 0.05) fail(sent, expected, describeTimer(after), INTERVAL_HINT);
        return { sent, expected, got: describeTimer(after) };
      },
    },
  ],
});
