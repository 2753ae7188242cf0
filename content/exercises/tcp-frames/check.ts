/**
 * Checker of tcp-frames: a TCP server on 127.0.0.1:{port} that reads length-prefixed frames
 * (4-byte big-endian length, then that many bytes) and answers each with a frame of the payload
 * reversed; a length over 65536 closes the connection.
 */
import { randomBytes } from 'node:crypto';
import { connectTcp, fail, runChecker, sha256, show, sleep, stallReading, writeInPieces, type Conn } from '../_lib/checker.ts';

function frame(payload: string | Buffer): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

function reversed(payload: string): string {
  return [...payload].reverse().join('');
}

/** Reads one frame; describes what arrived instead when it is not a whole frame in time. */
async function readFrame(c: Conn, ms: number): Promise<Buffer | string> {
  const head = await c.read(4, ms).catch(() => c.pending);
  if (head.length < 4) return head.length === 0 ? (c.ended ? 'the connection closed with no answer' : 'no answer') : `only ${head.length} header bytes: ${show(head)}`;
  const n = head.readUInt32BE(0);
  if (n > 65536) return `a header announcing ${n} bytes`;
  const body = await c.read(n, ms).catch(() => c.pending);
  if (body.length < n) return `a header announcing ${n} bytes, then only ${body.length}: ${show(body)}`;
  return body;
}

const SPLIT_HINT = 'One read() returns whatever has arrived: part of a header, or a frame and a half. Keep reading until you have the 4 header bytes, then until you have all N payload bytes (a read_full loop; Go: io.ReadFull; Node: buffer the chunks).';

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'one-frame',
      title: 'Answers one frame with its payload reversed',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        await c.write(frame('hello, frames'));
        const got = await readFrame(c, 2000);
        const expected = `a frame of ${show(reversed('hello, frames'))}`;
        if (typeof got === 'string' || got.toString() !== reversed('hello, frames')) fail(`a frame of ${show('hello, frames')}`, expected, typeof got === 'string' ? got : `a frame of ${show(got)}`, 'Answer with a 4-byte big-endian length (htonl / binary.BigEndian / writeUInt32BE) and the payload reversed.');
        // Nothing may follow the answer: bytes past it would be read as the next frame's header.
        c.end();
        const rest = await c.readToEnd(2000).catch(() => null);
        const sent = `a frame of ${show('hello, frames')}, then shutdown(SHUT_WR)`;
        if (rest === null) fail(sent, `${expected}, then end of stream`, 'the answer, then the connection stayed open 2 s after the client finished', 'When the client closes its side (read returns 0, io.EOF, the "end" event) between frames, close the connection.');
        if (rest.length > 0) fail(sent, `${expected}, then end of stream`, `the answer, then ${rest.length} more bytes: ${show(rest)}`, 'Send exactly 4 + N bytes per answer: the length you computed, not the size of your buffer.');
        return { sent, expected: `${expected}, then end of stream`, got: `${expected}, then end of stream` };
      },
    },
    {
      id: 'split-every-byte',
      title: 'Reassembles a frame split at every possible byte',
      timeoutMs: 8000,
      timeoutHint: SPLIT_HINT,
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const payload = 'split me up';
        const bytes = frame(payload);
        for (let at = 1; at < bytes.length; at++) {
          await c.write(bytes.subarray(0, at));
          await sleep(30);
          await c.write(bytes.subarray(at));
          const got = await readFrame(c, 1500);
          if (typeof got === 'string' || got.toString() !== reversed(payload)) {
            fail(`a frame of ${show(payload)} in two writes, split after byte ${at}`, `a frame of ${show(reversed(payload))}`, typeof got === 'string' ? got : `a frame of ${show(got)}`, SPLIT_HINT);
          }
        }
        return { sent: `a ${bytes.length}-byte frame split after each of bytes 1..${bytes.length - 1}`, expected: 'every split answered', got: 'every split answered' };
      },
    },
    {
      id: 'byte-at-a-time',
      title: 'Reassembles a frame sent one byte at a time',
      timeoutMs: 6000,
      timeoutHint: SPLIT_HINT,
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const payload = 'one byte at a time';
        for (const byte of frame(payload)) {
          await c.write(Buffer.from([byte]));
          await sleep(5);
        }
        const got = await readFrame(c, 2000);
        const expected = `a frame of ${show(reversed(payload))}`;
        if (typeof got === 'string' || got.toString() !== reversed(payload)) fail(`a frame of ${show(payload)}, one byte per write`, expected, typeof got === 'string' ? got : `a frame of ${show(got)}`, SPLIT_HINT);
        return { sent: `a frame of ${show(payload)}, one byte per write`, expected, got: expected };
      },
    },
    {
      id: 'many-in-one-write',
      title: 'Answers three frames sent in one write, an empty one included',
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const payloads = ['first', '', 'third one'];
        await c.write(Buffer.concat(payloads.map((p) => frame(p))));
        const sent = `frames ${payloads.map((p) => show(p)).join(', ')} in one write`;
        const expected = payloads.map((p) => show(reversed(p))).join(', ');
        const got: string[] = [];
        for (const p of payloads) {
          const answer = await readFrame(c, 2000);
          if (typeof answer === 'string') fail(sent, expected, `${got.join(', ')}${got.length ? ', then ' : ''}${answer}`, 'One read() can hold several frames: after answering one, look at the bytes you already have before reading again. An empty frame (length 0) is valid and gets an empty answer.');
          got.push(show(answer));
          if (answer.toString() !== reversed(p)) fail(sent, expected, got.join(', '), 'Answer the frames in order, each with its own payload reversed.');
        }
        return { sent, expected, got: got.join(', ') };
      },
    },
    {
      id: 'oversized',
      title: 'Closes a connection that announces a frame over 65536 bytes, and keeps serving',
      run: async (t) => {
        await t.server();
        const sent = 'a header announcing 65537 bytes (one past the limit); on a new connection, one announcing 1073741824';
        const expected = 'both connections closed, and a third one served';
        for (const n of [65537, 1 << 30]) {
          const c = await connectTcp(t.addr.port).catch(() => null);
          if (!c) fail(sent, expected, `the connection before the ${n}-byte header was refused: the server stopped`, 'Closing one bad connection must not stop the server.');
          t.defer(() => c.close());
          const head = Buffer.alloc(4);
          head.writeUInt32BE(n);
          await c.write(head);
          if (!(await c.closesWithin(2000))) fail(sent, expected, `after a header announcing ${n} bytes the connection was still open after 2 s`, 'Check the length before reading the payload: anything over 65536 closes the connection at once (never allocate or wait for what a peer announces).');
        }
        const again = await connectTcp(t.addr.port).catch(() => null);
        if (!again) fail(sent, expected, 'the connections closed, but the next one was refused: the server stopped', 'Closing one bad connection must not stop the server.');
        t.defer(() => again.close());
        await again.write(frame('ok'));
        const got = await readFrame(again, 2000);
        if (typeof got === 'string' || got.toString() !== 'ko') fail(sent, expected, `the connections closed; a new one got ${typeof got === 'string' ? got : show(got)}`, 'Keep serving new connections after closing a bad one.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'max-frame',
      title: 'Answers frames of the largest size, 65536 bytes, sent in pieces to a slow reader',
      timeoutMs: 8000,
      run: async (t) => {
        await t.server();
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const payloads = Array.from({ length: 4 }, () => randomBytes(65536));
        const sent = '4 frames of 65536 random bytes: the first in 8 writes 20 ms apart, the others in one write; read after a 300 ms pause';
        const expected = payloads.map((p) => sha256(Buffer.from(p).reverse())).join(', ');
        // A server that refuses the frame closes the connection: what it answered says more than the write error.
        await writeInPieces(c, frame(payloads[0]!), 8, 20).catch(() => {});
        await c.write(Buffer.concat(payloads.slice(1).map((p) => frame(p)))).catch(() => {});
        await stallReading(c, 300);
        const got: string[] = [];
        for (const p of payloads) {
          const answer = await readFrame(c, 3000);
          if (typeof answer === 'string') fail(sent, `4 frames with SHA-256 ${expected}`, `${got.length} whole answers${got.length ? ` (${got.join(', ')})` : ''}, then ${answer}`, 'A frame of exactly 65536 bytes is valid: is your limit or your buffer smaller (a fixed array, a check with >= instead of >)? Read until all N bytes are in, and write all 4 + N.');
          got.push(sha256(answer));
          if (!answer.equals(Buffer.from(p).reverse())) fail(sent, `4 frames with SHA-256 ${expected}`, got.join(', '), 'The answer to a 65536-byte frame differs: reverse all N bytes, read exactly N (no more, no less), and write all 4 + N.');
        }
        return { sent, expected: `4 frames with SHA-256 ${expected}`, got: `4 frames with SHA-256 ${got.join(', ')}` };
      },
    },
    {
      id: 'concurrent',
      title: 'Answers a client while another one is in the middle of a frame',
      timeoutHint: 'Serve each connection on its own (a thread per client in C, a goroutine in Go): a server busy waiting for one client\'s frame never answers another.',
      run: async (t) => {
        await t.server();
        const slow = await connectTcp(t.addr.port);
        t.defer(() => slow.close());
        await slow.write(frame('never finished').subarray(0, 6));
        await sleep(100);
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        await c.write(frame('abc'));
        const got = await readFrame(c, 2000);
        const sent = 'client 1: a header and 2 of its 14 bytes (and then nothing); client 2: a frame of "abc"';
        const expected = 'client 2 gets a frame of "cba" at once';
        if (typeof got === 'string' || got.toString() !== 'cba') fail(sent, expected, `client 2 got ${typeof got === 'string' ? got : `a frame of ${show(got)}`}`, 'Serve each connection on its own (a thread per client in C, a goroutine in Go): a server busy waiting for one client\'s frame never answers another.');
        return { sent, expected, got: expected };
      },
    },
  ],
});
