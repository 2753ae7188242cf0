/**
 * Checker of tcp-sendall: a TCP server on 127.0.0.1:{port} that sends every client 8 MiB (line k
 * is k zero-padded to 7 digits, then "\n", for k = 0 .. 1048575) and then closes the connection.
 * The clients read fast, slowly (so the server's sends meet a full buffer), or not at all for a
 * while; what arrives is compared to the stream by length and SHA-256.
 */
import { createHash } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { fail, runChecker, sleep, type Context } from '../_lib/checker.ts';

const LINES = 1 << 20;
const LINE = 8;
const STREAM = Buffer.alloc(LINES * LINE);
for (let k = 0; k < LINES; k++) STREAM.write(`${String(k).padStart(7, '0')}\n`, k * LINE, 'latin1');
const STREAM_SHA = sha256(STREAM);

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

interface Received {
  data: Buffer;
  /** How the stream ended: 'end' (FIN), 'reset' (RST), or 'open' (still open at the deadline). */
  ending: 'end' | 'reset' | 'open';
  ms: number;
}

interface Pace {
  /** Read nothing after connecting until this settles. */
  stall?: () => Promise<unknown>;
  /** Then pause reading for `pauseMs` after each `burst` bytes (0: read at full speed). */
  burst: number;
  pauseMs: number;
}

const FAST: Pace = { burst: 0, pauseMs: 0 };
const SLOW_STALL_MS = 500;
const SLOW: Pace = { stall: () => sleep(SLOW_STALL_MS), burst: 512 * 1024, pauseMs: 120 };

/** Connects and reads at `pace` until the server closes (or `ms` pass), keeping every byte. */
function receive(t: Context, pace: Pace, ms: number): Promise<Received> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = createConnection({ port: t.addr.port, host: '127.0.0.1' });
    t.defer(() => {
      socket.destroy();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let nextPause = pace.burst;
    const done = (ending: Received['ending']) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), ending, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done('open'), ms);
    socket.once('connect', () => {
      if (pace.stall) {
        socket.pause();
        void pace.stall().finally(() => socket.resume());
      }
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (pace.burst > 0 && size >= nextPause) {
        nextPause = size + pace.burst;
        socket.pause();
        setTimeout(() => socket.resume(), pace.pauseMs);
      }
    });
    socket.once('end', () => done('end'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (size === 0 && err.code === 'ECONNREFUSED') {
        clearTimeout(timer);
        reject(err);
      } else done('reset');
    });
  });
}

const BLOCK_HINT = 'A client that stops reading must not stop the server: a blocking send() to it waits as long as it does not read. Serve each client on its own (poll() with non-blocking sockets, or a thread per client; a goroutine in Go).';
const LOST_HINT = 'send() (write() in C) may send fewer bytes than asked, and on a non-blocking socket it fails with EAGAIN when the buffer is full: add what it returned to your offset, wait for POLLOUT on EAGAIN, and send the rest. In Node, write() keeps a reference to your Buffer until it is sent: never refill a Buffer you have written; wait for "drain" when write() returns false.';
const SHORT_HINT = 'The stream stopped early: the connection was closed before everything was written. Do not treat EAGAIN (a full buffer) as an error or the end; close only after the last byte was accepted (C: send() returned it all; Go: Write returned with no error and bufio.Writer was flushed; Node: end(), never destroy(), after the last write).';
const RESET_HINT = 'The connection was reset (RST): the server closed it in a way that throws away what was still queued. Do not set SO_LINGER to 0 (Go: SetLinger(0)) and do not destroy() a Node socket that still has data to send; a plain close() / Close() / end() delivers every byte.';

/** Compares what arrived to the stream; fails naming the first difference and the likely mistake. */
function verify(got: Received, sent: string): { sent: string; expected: string; got: string } {
  const expected = `${STREAM.length} bytes (lines 0000000 .. 1048575), SHA-256 ${STREAM_SHA}, then end of stream`;
  const data = got.data;
  const same = Math.min(data.length, STREAM.length);
  let at = 0;
  while (at < same && data[at] === STREAM[at]) at++;
  const line = (buf: Buffer, offset: number) => JSON.stringify(buf.subarray(offset - (offset % LINE), offset - (offset % LINE) + LINE).toString('latin1'));
  const summary = `${data.length} bytes, SHA-256 ${sha256(data)}`;
  if (at < same) {
    fail(sent, expected, `${summary}; the first difference is at byte ${at}: expected line ${line(STREAM, at)}, got ${line(data, at)}`, LOST_HINT);
  }
  if (data.length > STREAM.length) fail(sent, expected, `${summary}: ${data.length - STREAM.length} bytes too many after line 1048575`, 'Send the stream once, and nothing after it.');
  if (data.length < STREAM.length) {
    const how = got.ending === 'reset' ? 'then the connection was reset' : got.ending === 'end' ? 'then the server closed the connection' : `then nothing more within ${got.ms / 1000} s`;
    fail(sent, expected, `only ${summary} (up to line ${Math.floor(data.length / LINE)}), ${how}`, got.ending === 'reset' ? RESET_HINT : got.ending === 'end' ? SHORT_HINT : 'The server stopped sending: is it stuck on a full buffer (waiting for nothing, or serving another client)?');
  }
  if (got.ending === 'reset') fail(sent, expected, `all ${STREAM.length} bytes, then a reset instead of a normal close`, RESET_HINT);
  if (got.ending === 'open') fail(sent, expected, `all ${STREAM.length} bytes, but the connection was still open ${got.ms / 1000} s later`, 'Close the connection once the last byte is sent: the client reads until end of stream.');
  return { sent, expected, got: `${STREAM.length} bytes, SHA-256 ${STREAM_SHA}, then end of stream` };
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'fast-reader',
      title: 'Sends the whole 8 MiB stream, then closes, to a client that reads as fast as it can',
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        return verify(await receive(t, FAST, 7000), 'connected and read as fast as possible');
      },
    },
    {
      id: 'slow-reader',
      title: 'Sends the whole stream to a client that reads slowly (the send buffer fills again and again)',
      timeoutMs: 12000,
      run: async (t) => {
        await t.server();
        const sent = `connected, read nothing for ${SLOW_STALL_MS} ms, then paused ${SLOW.pauseMs} ms after every ${SLOW.burst / 1024} KiB`;
        return verify(await receive(t, SLOW, 11000), sent);
      },
    },
    {
      id: 'slow-does-not-block',
      title: 'A client that reads nothing does not hold up another client',
      timeoutMs: 14000,
      timeoutHint: BLOCK_HINT,
      run: async (t) => {
        await t.server();
        let secondDone = () => {};
        const secondFinished = new Promise<void>((resolve) => (secondDone = resolve));
        const stalled = receive(t, { ...FAST, stall: () => secondFinished }, 13000);
        // The first client reads nothing until the second has finished: a server that blocks in a
        // send() to the first never gets to the second.
        await sleep(400);
        const sent = 'a first client that read nothing, then a second client that read as fast as it could';
        const second = await receive(t, FAST, 5000).finally(secondDone);
        if (second.ending === 'open') {
          fail(sent, 'the second client gets all 8 MiB within 5 s while the first reads nothing', `the second client got ${second.data.length} bytes in 5 s`, BLOCK_HINT);
        }
        verify(second, `${sent}: the second client`);
        verify(await stalled, `${sent}: the first client, once it read again`);
        return { sent, expected: 'both clients get the whole stream, the second without waiting for the first', got: 'both got the whole stream' };
      },
    },
  ],
});
