/**
 * Checker of udp-truncation: a UDP server on 127.0.0.1:{port} that receives into a 1500-byte
 * buffer and answers "<n> bytes" (n = bytes kept), with ", truncated" when the datagram was longer.
 */
import { fail, runChecker, Udp, show, type Context, type Observed } from '../_lib/checker.ts';

const HINTS: Record<string, string> = {
  '1500 bytes': 'A datagram of exactly 1500 bytes fits the buffer: it is not truncated.',
  '1500 bytes, truncated': 'recvfrom() silently drops what does not fit. Ask the kernel: C: recvmsg() and MSG_TRUNC in msg_flags (or recvfrom with MSG_TRUNC, which returns the real size); Go: ReadMsgUDP and syscall.MSG_TRUNC in its flags; Node: the message is whole, compare its length with 1500.',
  '0 bytes': 'An empty datagram is legal: answer "0 bytes" and keep going.',
  '20 bytes': 'After a truncated datagram the next one must be read on its own: the cut-off rest is gone, not waiting in the socket.',
};

/** The mistake a wrong answer points at, when it points at one; else the hint of the case. */
function hintFor(answer: Buffer | null, size: number, expected: string): string {
  const text = answer?.toString('latin1') ?? '';
  if (text.startsWith(`${expected}\0`)) {
    return `Send the text only, ${expected.length} bytes here (the length snprintf returned), not the size of your reply buffer: everything after it arrives too.`;
  }
  if (size > 1500 && text.startsWith(`${size} bytes`)) return 'n is how many bytes you kept, at most 1500: not the size of the datagram that was sent.';
  if (size === 1500 && text === '1500 bytes, truncated') return 'A datagram of exactly 1500 bytes fits the buffer: a full buffer does not mean a cut datagram. Ask the kernel (MSG_TRUNC) instead of guessing from the count.';
  return HINTS[expected] ?? 'Answer the sender (the address recvfrom gives you) with "<n> bytes", n being how many bytes you received.';
}

/** Sends a datagram of `size` bytes and wants `expected` back. */
async function reports(t: Context, size: number, expected: string): Promise<Observed> {
  await t.server();
  const client = await Udp.open();
  t.defer(() => client.close());
  await client.send(Buffer.alloc(size, 0x78), t.addr.port);
  const answer = await client.receive(1200);
  const got = answer ? show(answer.data) : 'no answer within 1.2 s';
  if (answer?.data.toString() !== expected) fail(`a datagram of ${size} bytes`, show(expected), got, hintFor(answer?.data ?? null, size, expected));
  return { sent: `a datagram of ${size} bytes`, expected: show(expected), got };
}

// In this order: the empty datagram and the one after come once truncation has been seen.
await runChecker({
  readiness: (a) => ({ udp: a.port }),
  checks: [
    { id: 'size-10', title: 'Reports a 10-byte datagram as "10 bytes"', run: (t) => reports(t, 10, '10 bytes') },
    { id: 'size-1000', title: 'Reports a 1000-byte datagram as "1000 bytes"', run: (t) => reports(t, 1000, '1000 bytes') },
    { id: 'size-1500', title: 'Reports a 1500-byte datagram as "1500 bytes"', run: (t) => reports(t, 1500, '1500 bytes') },
    { id: 'size-1501', title: 'Reports a 1501-byte datagram as "1500 bytes, truncated"', run: (t) => reports(t, 1501, '1500 bytes, truncated') },
    { id: 'size-3000', title: 'Reports a 3000-byte datagram as "1500 bytes, truncated"', run: (t) => reports(t, 3000, '1500 bytes, truncated') },
    { id: 'size-65507', title: 'Reports a 65507-byte datagram as "1500 bytes, truncated"', run: (t) => reports(t, 65507, '1500 bytes, truncated') },
    { id: 'size-0', title: 'Reports a 0-byte datagram as "0 bytes"', run: (t) => reports(t, 0, '0 bytes') },
    { id: 'size-20', title: 'Reports a 20-byte datagram as "20 bytes"', run: (t) => reports(t, 20, '20 bytes') },
  ],
});
