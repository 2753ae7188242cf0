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
      id: 'large',
      title: 'Answers a 1400-byte datagram whole',
      run: async (t) => {
        await t.server();
        const sent = 'abcdefghij'.repeat(140);
        const { answer } = await exchange(t, t.addr.port, sent);
        const expected = `${sent.length} bytes, all in capitals`;
        if (answer !== sent.toUpperCase()) fail(`${sent.length} bytes of "abcdefghij..."`, expected, answer === null ? 'no answer' : `${answer.length} bytes: ${show(answer, 60)}`, 'Receive into a buffer large enough for the datagram (a too-small buffer silently cuts it).');
        return { sent: `${sent.length} bytes of "abcdefghij..."`, expected, got: expected };
      },
    },
  ],
});
