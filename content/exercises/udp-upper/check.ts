/** Checker of udp-upper: a UDP server on 127.0.0.1:{port} that answers each datagram, uppercased, to its sender. */
import { fail, runChecker, show, Udp } from '../_lib/checker.ts';

const NO_REPLY_HINT = 'Answer with sendto() to the address recvfrom() gave you (Go: WriteToUDP with the address ReadFromUDP returned; Node: socket.send(msg, rinfo.port, rinfo.address)).';

async function exchange(t: { defer: (fn: () => void) => void }, port: number, text: string): Promise<{ client: Udp; answer: string | null; from: number | null }> {
  const client = await Udp.open();
  t.defer(() => client.close());
  await client.send(Buffer.from(text), port);
  const answer = await client.receive(1500);
  return { client, answer: answer ? answer.data.toString() : null, from: answer?.port ?? null };
}

await runChecker({
  readiness: (a) => ({ udp: a.port }),
  checks: [
    {
      id: 'uppercase',
      title: 'Answers a datagram with the same text in capitals',
      run: async (t) => {
        await t.server();
        const sent = 'hello, datagrams';
        const { answer, from } = await exchange(t, t.addr.port, sent);
        if (answer === null) fail(show(sent), show(sent.toUpperCase()), 'no datagram back within 1.5 s', NO_REPLY_HINT);
        if (answer !== sent.toUpperCase()) fail(show(sent), show(sent.toUpperCase()), show(answer), 'Uppercase a-z only (toupper / bytes.ToUpper / toUpperCase) and send exactly as many bytes as you received: not the size of your buffer.');
        if (from !== t.addr.port) fail(show(sent), `an answer from port ${t.addr.port}`, `an answer from port ${from}`, 'Answer from the socket the datagram arrived on.');
        return { sent: show(sent), expected: show(sent.toUpperCase()), got: show(answer) };
      },
    },
    {
      id: 'each-sender',
      title: 'Answers each of two clients, not just the first one',
      run: async (t) => {
        await t.server();
        const a = await Udp.open();
        const b = await Udp.open();
        t.defer(() => (a.close(), b.close()));
        await a.send(Buffer.from('from a'), t.addr.port);
        await b.send(Buffer.from('from b'), t.addr.port);
        const gotA = (await a.receive(1500))?.data.toString() ?? 'nothing';
        const gotB = (await b.receive(1500))?.data.toString() ?? 'nothing';
        const sent = `"from a" from port ${a.port}, "from b" from port ${b.port}`;
        const expected = '"FROM A" to the first, "FROM B" to the second';
        if (gotA !== 'FROM A' || gotB !== 'FROM B') fail(sent, expected, `${show(gotA)} to the first, ${show(gotB)} to the second`, `There is no connection in UDP: every datagram says who sent it. ${NO_REPLY_HINT}`);
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'empty',
      title: 'Answers an empty datagram with an empty one, and keeps serving',
      run: async (t) => {
        await t.server();
        const client = await Udp.open();
        t.defer(() => client.close());
        await client.send(Buffer.alloc(0), t.addr.port);
        const empty = await client.receive(1500);
        await client.send(Buffer.from('still there?'), t.addr.port);
        const after = await client.receive(1500);
        const expected = 'an empty datagram, then "STILL THERE?"';
        const got = `${empty ? `a datagram of ${empty.data.length} bytes` : 'nothing'}, then ${after ? show(after.data) : 'nothing'}`;
        if (!empty || empty.data.length !== 0 || after?.data.toString() !== 'STILL THERE?') fail('an empty datagram, then "still there?"', expected, got, 'recvfrom() returning 0 is an empty datagram, which is legal: it does not mean "the client quit" (UDP has no such thing). Answer it and go on.');
        return { sent: 'an empty datagram, then "still there?"', expected, got };
      },
    },
    {
      id: 'non-ascii',
      title: 'Changes a-z only: other bytes, UTF-8 letters and bytes that are not text come back as they were',
      run: async (t) => {
        await t.server();
        const client = await Udp.open();
        t.defer(() => client.close());
        // é and ß in UTF-8, then é, ÿ, µ and ß as latin1 bytes, 0xff and NUL: a Unicode-aware
        // uppercase changes some of them, and some into more bytes than were sent.
        const sent = Buffer.concat([Buffer.from('caf\u00e9 stra\u00dfe 1-z{@}`'), Buffer.from([0xe9, 0xff, 0xb5, 0xdf, 0x00, 0x61])]);
        const expected = Buffer.from(sent.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));
        await client.send(sent, t.addr.port);
        const answer = await client.receive(1500);
        const hex = (b: Buffer) => b.toString('hex').replace(/(..)/g, '$1 ').trim();
        if (!answer) fail(hex(sent), hex(expected), 'no datagram back within 1.5 s', NO_REPLY_HINT);
        if (!answer.data.equals(expected)) {
          fail(`${sent.length} bytes: ${hex(sent)}`, `${expected.length} bytes: ${hex(expected)}`, `${answer.data.length} bytes: ${hex(answer.data)}`, 'Only a-z change, byte by byte (subtract 32 from 0x61..0x7a), and the answer has exactly as many bytes: bytes.ToUpper and toUpperCase() are Unicode-aware, so they also change é or ß, and turn bytes that are not UTF-8 into other, longer ones.');
        }
        return { sent: `${sent.length} bytes: ${hex(sent)}`, expected: `${expected.length} bytes: ${hex(expected)}`, got: `${expected.length} bytes: ${hex(expected)}` };
      },
    },
    {
      id: 'large',
      title: 'Answers datagrams of 1400 bytes and of 65507, the largest UDP over IPv4 carries, whole',
      run: async (t) => {
        await t.server();
        const got: string[] = [];
        for (const size of [1400, 65507]) {
          const sent = 'abcdefghij'.repeat(Math.ceil(size / 10)).slice(0, size);
          const { answer } = await exchange(t, t.addr.port, sent);
          if (answer !== sent.toUpperCase()) {
            fail(`datagrams of 1400 and 65507 bytes of "abcdefghij..."`, 'each answered whole, in capitals', `${got.join(', ')}${got.length ? ', then ' : ''}${answer === null ? `no answer to ${size} bytes` : `${answer.length} bytes for ${size}: ${show(answer, 60)}`}`, 'Receive into a buffer large enough for the datagram, 65535 bytes fits any (a too-small buffer silently cuts it).');
          }
          got.push(`${size} bytes in capitals`);
        }
        return { sent: 'datagrams of 1400 and 65507 bytes of "abcdefghij..."', expected: 'each answered whole, in capitals', got: got.join(', ') };
      },
    },
  ],
});
