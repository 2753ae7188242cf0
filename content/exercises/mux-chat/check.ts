/**
 * Checker of mux-chat: a chat server on 127.0.0.1:{port}. It greets each client with
 * "welcome\n", then relays every line a client sends to every other client. A client more than
 * 1 MiB behind is disconnected; nobody else waits for it. A stalled client is fed 16 MiB through
 * the server while another reads it all (compared by SHA-256).
 */
import { createHash } from 'node:crypto';
import { connectTcp, fail, runChecker, writeInPieces, type Conn, type Context } from '../_lib/checker.ts';

const WELCOME = 'welcome';
const ROOM = 10;
const LINES_EACH = 50;
const LINE = 1000; // bytes of a stalled-client test line, "\n" included
const CHUNK_LINES = 64;
const CHUNKS = 256; // 256 x 64 lines of 1000 bytes: 16 MiB, far past the 1 MiB limit and the socket buffers

const LINE_HINT = 'Relay whole lines: keep the bytes of an unfinished line until its newline comes (one read is not one line; one read can hold several lines), and send each line to every client except its sender, in the order it arrived.';
const STALL_HINT = 'One client that does not read must not delay the others: never block in send() (or retry EAGAIN) for one client. Queue its lines, send them when it can take them (EPOLLOUT/POLLOUT; in Go, a writer goroutine per client; in Node, write() queues), and disconnect it once more than 1 MiB waits for it.';
const UNBOUNDED_HINT = 'The stalled client was never disconnected, so the server kept every line for it: its backlog grows as long as the others talk. Count what is queued for each client (C: your output queue; Go: the bytes handed to its writer; Node: socket.writableLength) and close a client more than 1 MiB behind.';

/** Connects a client and waits for its welcome: from then on it is in the room. */
async function join(t: Context): Promise<Conn> {
  const c = await connectTcp(t.addr.port);
  t.defer(() => c.close());
  const first = await c.readLine(3000).catch(() => null);
  if (first !== WELCOME) fail('connected', `the line "${WELCOME}"`, JSON.stringify(first), `Greet each client with "${WELCOME}\\n" as soon as it has joined, so it knows that lines sent from then on reach it.`);
  return c;
}

/** Reads lines until `count` have arrived (or the deadline): what a client received. */
async function readLines(c: Conn, count: number, ms: number): Promise<string[]> {
  const lines: string[] = [];
  const until = Date.now() + ms;
  while (lines.length < count) {
    const line = await c.readLine(Math.max(1, until - Date.now())).catch(() => null);
    if (line === null) break;
    lines.push(line);
  }
  return lines;
}

function testLine(k: number): string {
  return `line ${String(k).padStart(6, '0')} `.padEnd(LINE - 1, 'z');
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'relays',
      title: 'Relays each line to every other client, not to its sender, however the line is cut',
      run: async (t) => {
        await t.server();
        const [a, b, c] = [await join(t), await join(t), await join(t)];
        const sent = 'three clients joined; the first sent "hello from a" in 4 pieces 50 ms apart; the second sent "one\\ntwo\\n" in one write';
        await writeInPieces(a, Buffer.from('hello from a\n'), 4, 50);
        await b.write('one\ntwo\n');
        const got = { a: await readLines(a, 2, 2000), b: await readLines(b, 1, 2000), c: await readLines(c, 3, 2000) };
        const expected = 'the first gets "one", "two"; the second "hello from a"; the third "hello from a", "one", "two" ("one" before "two")';
        const shown = `first ${JSON.stringify(got.a)}, second ${JSON.stringify(got.b)}, third ${JSON.stringify(got.c)}`;
        // The third client may get the two senders' lines in either order (the server sees two
        // connections at once); each sender's own lines keep their order.
        const third = got.c.filter((line) => line !== 'hello from a');
        const ok = got.a.join('|') === 'one|two' && got.b.join('|') === 'hello from a' && got.c.length === 3 && got.c.includes('hello from a') && third.join('|') === 'one|two';
        if (!ok) fail(sent, expected, shown, LINE_HINT);
        const extra = await readLines(b, 1, 300);
        if (extra.length > 0) fail(sent, `${expected}, and the sender nothing of its own`, `the second client also got ${JSON.stringify(extra)}`, 'Send a line to every client except the one that sent it.');
        return { sent, expected, got: shown };
      },
    },
    {
      id: 'many-senders',
      title: `${ROOM} clients send ${LINES_EACH} lines each at once; each gets every other client's lines, in order`,
      timeoutMs: 15000,
      run: async (t) => {
        await t.server();
        const room: Conn[] = [];
        for (let i = 0; i < ROOM; i++) room.push(await join(t));
        const sent = `${ROOM} clients joined, then each sent ${LINES_EACH} lines "c<i> m<k>" in one write`;
        await Promise.all(room.map((c, i) => c.write(Array.from({ length: LINES_EACH }, (_, k) => `c${i} m${k}\n`).join(''))));
        const want = (ROOM - 1) * LINES_EACH;
        const expected = `${want} lines per client: every other client's lines, each sender's in order, none of its own`;
        const all = await Promise.all(room.map((c) => readLines(c, want, 8000)));
        all.forEach((lines, i) => {
          const next = new Array<number>(ROOM).fill(0);
          for (const line of lines) {
            const m = /^c(\d+) m(\d+)$/.exec(line);
            const from = m ? Number(m[1]) : -1;
            if (!m || from === i || from >= ROOM || Number(m[2]) !== next[from]) {
              fail(sent, expected, `client ${i} got ${JSON.stringify(line)} where ${from === i ? 'its own line came back' : `line m${next[from] ?? '?'} of c${from} was due`}`, from === i ? 'Send a line to every client except the one that sent it.' : LINE_HINT);
            }
            next[from]!++;
          }
          if (lines.length < want) fail(sent, expected, `client ${i} got ${lines.length} of ${want} lines within 8 s`, LINE_HINT);
        });
        return { sent, expected, got: `${want} lines each, in order` };
      },
    },
    {
      id: 'stalled-client',
      title: 'A client that reads nothing delays no one, and is disconnected once 1 MiB is waiting for it',
      timeoutMs: 30000,
      timeoutHint: STALL_HINT,
      run: async (t) => {
        await t.server();
        const stalled = await join(t);
        stalled.socket.removeAllListeners('data'); // count what it gets, keep none of it
        stalled.socket.pause();
        let stalledBytes = 0;
        stalled.socket.on('data', (chunk: Buffer) => (stalledBytes += chunk.length));
        const reader = await join(t);
        const sender = await join(t);
        const total = CHUNKS * CHUNK_LINES;
        const sent = `three clients joined; one read nothing; another sent ${total} lines of ${LINE} bytes (${(total * LINE) / 1048576} MiB), ${CHUNK_LINES} at a time, each batch once the third client had received the one before`;
        const sentHash = createHash('sha256');
        const gotHash = createHash('sha256');
        for (let chunk = 0; chunk < CHUNKS; chunk++) {
          const batch = Buffer.from(Array.from({ length: CHUNK_LINES }, (_, i) => `${testLine(chunk * CHUNK_LINES + i)}\n`).join(''), 'latin1');
          sentHash.update(batch);
          await sender.write(batch);
          const got = await reader.read(batch.length, 3000).catch(() => null);
          if (got === null || got.length < batch.length) {
            fail(sent, 'the reading client gets every batch within 3 s', `after ${chunk} of ${CHUNKS} batches (${((chunk * batch.length) / 1048576).toFixed(1)} MiB) the next did not come`, reader.ended ? 'The reading client was disconnected: only a client more than 1 MiB behind may be.' : STALL_HINT);
          }
          gotHash.update(got);
        }
        const [want, have] = [sentHash.digest('hex').slice(0, 16), gotHash.digest('hex').slice(0, 16)];
        if (want !== have) fail(sent, `the reading client gets the same ${total * LINE} bytes, SHA-256 ${want}`, `SHA-256 ${have}`, 'Lines were lost or cut: keep what send() did not take (it may take part, or fail with EAGAIN) and send it later.');
        // Now the stalled client reads: it must find the end of the stream well before 16 MiB.
        stalled.socket.resume();
        const closed = await stalled.closesWithin(5000);
        const expected = 'the reading client gets everything; the stalled client is disconnected, with far less than everything sent';
        if (!closed || stalledBytes >= total * LINE) {
          fail(sent, expected, `the stalled client ${closed ? 'was disconnected only after' : 'was never disconnected, and got'} ${(stalledBytes / 1048576).toFixed(1)} MiB`, UNBOUNDED_HINT);
        }
        return { sent, expected, got: `the stalled client was disconnected after ${(stalledBytes / 1048576).toFixed(1)} MiB` };
      },
    },
  ],
});
