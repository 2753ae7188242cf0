/**
 * Checker of udp-truncation: a UDP server on 127.0.0.1:{port} that receives into a 1500-byte
 * buffer and answers "<n> bytes" (n = bytes kept), with ", truncated" when the datagram was longer.
 */
import { fail, runChecker, Udp, show } from '../_lib/checker.ts';

const cases: { size: number; expected: string }[] = [
  { size: 10, expected: '10 bytes' },
  { size: 1000, expected: '1000 bytes' },
  { size: 1500, expected: '1500 bytes' },
  { size: 1501, expected: '1500 bytes, truncated' },
  { size: 3000, expected: '1500 bytes, truncated' },
  { size: 65507, expected: '1500 bytes, truncated' },
  { size: 0, expected: '0 bytes' },
  { size: 20, expected: '20 bytes' },
];

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

await runChecker({
  readiness: (a) => ({ udp: a.port }),
  checks: cases.map(({ size, expected }) => ({
    id: `size-${size}`,
    title: `Reports a ${size}-byte datagram as "${expected}"`,
    run: async (t) => {
      await t.server();
      const client = await Udp.open();
      t.defer(() => client.close());
      await client.send(Buffer.alloc(size, 0x78), t.addr.port);
      const answer = await client.receive(1200);
      const got = answer ? show(answer.data) : 'no answer within 1.2 s';
      if (answer?.data.toString() !== expected) fail(`a datagram of ${size} bytes`, show(expected), got, hintFor(answer?.data ?? null, size, expected));
      return { sent: `a datagram of ${size} bytes`, expected: show(expected), got };
    },
  })),
});
