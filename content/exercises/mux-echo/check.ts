/**
 * Checker of mux-echo: the tcp topic's line echo server on 127.0.0.1:{port} ("echo: <line>\n" for
 * every line), holding 1000 clients at once and not letting clients that never read stall the
 * others or lose their replies. What slow clients get back is compared by length and SHA-256.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connectTcp, fail, runChecker, sleep, writeInPieces, type Conn, type Context } from '../_lib/checker.ts';

const CLIENTS = 1000;
const SLOW_CLIENTS = 2;
const SLOW_LINES = 12_288; // 12 MiB of 1000-byte lines each: more than the socket buffers hold (about 8 MiB)
const FAST_LINES = 10;
const FAST_REPLY_MS = 2000; // generous: a lab's one CPU is shared by the checker and the server
const FLOOD_MIB = 32; // a bounded server's program stops reading it after its queue of replies (and the socket buffers behind it) fill
const FLOOD_CHUNK = 256 * 1024;

const ONE_AT_A_TIME = 'Serve every client at once: one thread that blocks in accept(), recv() or send() for one client serves nobody else. Use non-blocking sockets and epoll or poll() in C, a goroutine per connection in Go; Node\'s callbacks already do.';
const BLOCKED_SEND = 'A client that does not read must not stall the others: a blocking send() (or a loop retrying EAGAIN) to it waits as long as it does not read. Queue what the kernel does not take, send it when EPOLLOUT/POLLOUT says so, and stop reading that client while its queue is full.';

function slowLine(client: number, k: number): string {
  return `slow ${client} line ${String(k).padStart(6, '0')} `.padEnd(999, 'x');
}

const UNBOUNDED = 'The server read everything a client sent while that client read none of the replies: its queue of unsent replies grows without bound (a client can make it run out of memory). Stop reading a client whose queue is full (C: skip it for EPOLLIN until EPOLLOUT drains the queue; Node: socket.pause() when write() returns false, resume() on \'drain\').';

/** Writes up to `mib` MiB of 1000-byte lines without reading; returns the bytes the kernel took before it stopped taking more (no write completing for 1.5 s). */
async function flood(c: Conn, mib: number): Promise<number> {
  const chunk = Buffer.from(Array.from({ length: FLOOD_CHUNK / 1000 + 1 }, () => `${'f'.repeat(999)}\n`).join('').slice(0, FLOOD_CHUNK));
  c.socket.pause();
  let taken = 0;
  while (taken < mib * 1048576) {
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1500);
      c.socket.write(chunk, (err) => {
        clearTimeout(timer);
        resolve(!err);
      });
    });
    if (!(await done)) break;
    taken += chunk.length;
  }
  return taken;
}

/**
 * Bytes of the connection between local port `from` and local port `to` (both on 127.0.0.1) that
 * still wait in the kernel: the sender's send queue plus the receiver's unread receive queue, from
 * this network namespace's /proc/net/tcp. What the kernel holds depends on the machine (a receive
 * buffer may autotune up to net.ipv4.tcp_rmem's maximum: 32 MiB on Linux 6.18), so a bound on what
 * the server's program read must leave it out.
 */
function queuedInKernel(from: number, to: number): number {
  const hexPort = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  const [sender, receiver] = [`0100007F:${hexPort(from)} 0100007F:${hexPort(to)}`, `0100007F:${hexPort(to)} 0100007F:${hexPort(from)}`];
  let queued = 0;
  for (const line of readFileSync('/proc/net/tcp', 'latin1').split('\n')) {
    const [, local, remote, , queues] = line.trim().split(/\s+/);
    const [tx, rx] = (queues ?? '').split(':').map((h) => parseInt(h, 16));
    if (`${local} ${remote}` === sender) queued += tx;
    else if (`${local} ${remote}` === receiver) queued += rx;
  }
  return queued;
}

/** The slow client `s`'s stream: SLOW_LINES lines of 1000 bytes. */
function slowStream(s: number): Buffer {
  const stream = Buffer.alloc(SLOW_LINES * 1000);
  for (let k = 0; k < SLOW_LINES; k++) stream.write(`${slowLine(s, k)}\n`, k * 1000, 'latin1');
  return stream;
}

function expectedEcho(s: number): { bytes: number; sha: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (let k = 0; k < SLOW_LINES; k++) {
    const line = `echo: ${slowLine(s, k)}\n`;
    hash.update(line, 'latin1');
    bytes += line.length;
  }
  return { bytes, sha: hash.digest('hex').slice(0, 16) };
}

/** A client that sends its whole stream and half-closes, reading nothing until readAll(); it keeps only a hash of what it receives. */
async function slowClient(t: Context, s: number): Promise<{ readAll: () => Promise<{ bytes: number; sha: string; ending: 'end' | 'reset' | 'open' }> }> {
  const c = await connectTcp(t.addr.port);
  t.defer(() => c.close());
  const socket = c.socket;
  socket.removeAllListeners('data'); // no copy of 16 MiB in Conn's buffer: hash it instead
  socket.pause();
  const hash = createHash('sha256');
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  socket.end(slowStream(s));
  return {
    readAll: () =>
      new Promise((resolve) => {
        const done = (ending: 'end' | 'reset' | 'open') => {
          clearTimeout(timer);
          resolve({ bytes, sha: hash.digest('hex').slice(0, 16), ending });
        };
        const timer = setTimeout(() => done('open'), 20000);
        if (c.ended) return done(c.error ? 'reset' : 'end');
        socket.once('end', () => done('end'));
        socket.once('error', () => done('reset'));
        socket.resume();
      }),
  };
}

/** Connects `n` clients at once; fails naming how many connected. */
async function connectMany(t: Context, n: number): Promise<Conn[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => connectTcp(t.addr.port, 5000)));
  const conns = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  t.defer(() => conns.forEach((c) => c.close()));
  if (conns.length < n) {
    const why = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    fail(`${n} connections at once`, `all ${n} connected within 5 s`, `${conns.length} connected; the others: ${String(why.reason?.message ?? why.reason)}`, 'Listen with a large backlog (SOMAXCONN) and accept every waiting connection; a select()-based server cannot go past descriptor 1023.');
  }
  return conns;
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'split-lines',
      title: 'Answers lines however they are cut: in pieces, several in one write, the last one without a newline',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        await writeInPieces(c, Buffer.from('hello, event loop\nsecond\nthird'), 5, 60);
        c.end();
        const got = (await c.readToEnd(3000)).toString();
        const expected = 'echo: hello, event loop\necho: second\necho: third\n';
        const sent = '"hello, event loop\\nsecond\\nthird" in 5 pieces 60 ms apart, then end of input';
        if (got !== expected) fail(sent, JSON.stringify(expected) + ' then end of stream', JSON.stringify(got), 'Keep the bytes of an unfinished line until its newline comes (one read is not one line), read until EAGAIN when edge-triggered, answer a last line that ends at EOF, and close only after every reply was sent.');
        return { sent, expected, got };
      },
    },
    {
      id: 'thousand-clients',
      title: `Holds ${CLIENTS} clients at once and answers each of them`,
      timeoutMs: 20000,
      timeoutHint: ONE_AT_A_TIME,
      run: async (t) => {
        await t.server();
        const conns = await connectMany(t, CLIENTS);
        const sent = `${CLIENTS} connections open at once, each sending "client <i>" and waiting for its echo`;
        await Promise.all(conns.map((c, i) => c.write(`client ${i}\n`)));
        const replies = await Promise.all(conns.map((c) => c.readLine(10000).catch(() => null)));
        const wrong = replies.findIndex((r, i) => r !== `echo: client ${i}`);
        if (wrong >= 0) {
          const answered = replies.filter((r) => r !== null).length;
          fail(sent, `every client gets "echo: client <i>" within 10 s`, `${answered} of ${CLIENTS} answered; client ${wrong} got ${JSON.stringify(replies[wrong])}`, ONE_AT_A_TIME);
        }
        return { sent, expected: `${CLIENTS} echoes`, got: `${CLIENTS} echoes` };
      },
    },
    {
      id: 'slow-readers',
      title: 'Clients that send a lot and read nothing neither stall another client nor lose replies',
      timeoutMs: 30000,
      timeoutHint: BLOCKED_SEND,
      run: async (t) => {
        await t.server();
        const slow = await Promise.all(Array.from({ length: SLOW_CLIENTS }, (_, s) => slowClient(t, s)));
        await sleep(800); // the buffers fill
        const sent = `${SLOW_CLIENTS} clients each sent ${SLOW_LINES} lines of 1000 bytes (${SLOW_LINES / 1024} MiB) and read nothing; then another client sent ${FAST_LINES} lines one at a time`;
        const fast = await connectTcp(t.addr.port);
        t.defer(() => fast.close());
        for (let i = 0; i < FAST_LINES; i++) {
          await fast.write(`fast ${i}\n`);
          const reply = await fast.readLine(FAST_REPLY_MS).catch(() => null);
          if (reply !== `echo: fast ${i}`) fail(sent, `each of the ${FAST_LINES} lines answered within ${FAST_REPLY_MS / 1000} s`, `line ${i}: ${JSON.stringify(reply)}`, BLOCKED_SEND);
        }
        // Now the slow clients read: every reply must be there, in order, then end of stream.
        for (const [s, got] of (await Promise.all(slow.map((c) => c.readAll()))).entries()) {
          const want = expectedEcho(s);
          if (got.bytes !== want.bytes || got.sha !== want.sha) {
            const how = got.ending === 'open' ? 'and the connection was still open 20 s later' : got.ending === 'reset' ? 'then a reset' : 'then end of stream';
            fail(`${sent}; then the slow clients read to the end`, `${want.bytes} bytes, SHA-256 ${want.sha}, then end of stream`, `slow client ${s}: ${got.bytes} bytes, SHA-256 ${got.sha}, ${how}`, 'Replies were lost or cut: keep every reply the kernel did not take (send() may take only part, or fail with EAGAIN), send it later, and close only once the queue is empty.');
          }
        }
        return { sent, expected: 'fast answers, and every slow client gets all its replies', got: 'as expected' };
      },
    },
    {
      id: 'bounded-queue',
      title: 'Stops reading a client that reads none of its replies, so its queue stays bounded',
      timeoutMs: 20000,
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const taken = await flood(c, FLOOD_MIB);
        await sleep(500); // a server that reads everything catches up with what the kernel took last
        const queued = queuedInKernel(c.socket.localPort!, t.addr.port);
        const read = Math.max(0, taken - queued) / 1048576;
        const sent = `${FLOOD_MIB} MiB of 1000-byte lines from a client that reads nothing`;
        const expected = `the server's program stops reading once its queue of replies is full (it reads under ${FLOOD_MIB / 2} MiB; the rest waits in the socket buffers)`;
        const got = `the server's program read ${read.toFixed(1)} MiB (the kernel took ${(taken / 1048576).toFixed(1)} MiB, ${(queued / 1048576).toFixed(1)} MiB of it still waiting in socket buffers)`;
        if (read >= FLOOD_MIB / 2) fail(sent, expected, got, UNBOUNDED);
        return { sent, expected, got };
      },
    },
  ],
});
