/**
 * Checker of tcp-frames: a TCP server on 127.0.0.1:{port} that reads length-prefixed frames
 * (4-byte big-endian length, then that many bytes) and answers each with a frame of the payload
 * reversed; a length over 65536 closes the connection.
 */
import { connectTcp, fail, runChecker, show, sleep, type Conn } from '../_lib/checker.ts';

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
        return { sent: `a frame of ${show('hello, frames')}`, expected, got: expected };
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
        const c = await connectTcp(t.addr.port);
        t.defer(() => c.close());
        const head = Buffer.alloc(4);
        head.writeUInt32BE(1 << 30);
        await c.write(head);
        const sent = 'a header announcing 1073741824 bytes';
        const expected = 'the connection closed, and a new connection served';
        if (!(await c.closesWithin(2000))) fail(sent, expected, 'the connection was still open after 2 s', 'Check the length before reading the payload: never allocate or wait for a gigabyte a peer announces. Close the connection instead.');
        const again = await connectTcp(t.addr.port).catch(() => null);
        if (!again) fail(sent, expected, 'the connection closed, but the next one was refused: the server stopped', 'Closing one bad connection must not stop the server.');
        t.defer(() => again.close());
        await again.write(frame('ok'));
        const got = await readFrame(again, 2000);
        if (typeof got === 'string' || got.toString() !== 'ko') fail(sent, expected, `the connection closed; a new one got ${typeof got === 'string' ? got : show(got)}`, 'Keep serving new connections after closing a bad one.');
        return { sent, expected, got: expected };
      },
    },
  ],
});
