/**
 * Checker of uds-dgram-client: the learner writes a Unix datagram *client*, started as
 * `client {socket}`; the checker is the server at {socket}. For each line of its input the client
 * sends a datagram from an address it bound itself, prints the answer, and at the end of its input
 * removes its own socket file and exits 0.
 */
import { fail, runChecker, show, type Program, UnixDgram, exists } from '../_lib/checker.ts';

const BIND_HINT = 'A Unix datagram socket that never binds has no address, so the server has nowhere to send its answer. bind() your socket to a path of your own (e.g. /tmp/client-<pid>.sock, unlinked first) before sending.';

/** The checker's server: answers each datagram "ack: <text>" at the sender's address. */
function serve(t: { addr: { socket: string }; defer: (fn: () => void) => void }): { server: UnixDgram; seen: { text: string; from: string | undefined }[] } {
  const server = new UnixDgram(t.addr.socket);
  t.defer(() => server.close());
  const seen: { text: string; from: string | undefined }[] = [];
  void (async () => {
    for (;;) {
      const d = await server.receive(60_000);
      if (!d) return;
      seen.push({ text: d.data.toString(), from: d.from });
      if (d.from) await server.send(Buffer.concat([Buffer.from('ack: '), d.data]), d.from).catch(() => {});
    }
  })();
  return { server, seen };
}

async function waitLines(program: Program, lines: string[], ms: number): Promise<boolean> {
  try {
    await program.waitForOutput(`${lines.at(-1)}\n`, ms);
  } catch {
    return false;
  }
  return lines.every((l) => program.output.includes(l));
}

await runChecker({
  readiness: (a) => ({ unixDgram: a.socket }),
  checks: [
    {
      id: 'bound',
      title: 'Sends from an address of its own',
      run: async (t) => {
        const { seen } = serve(t);
        const program = t.start({ stdin: true });
        program.write('hello\n');
        const sent = '"hello" on the client\'s input';
        for (let i = 0; i < 60 && seen.length === 0 && !program.hasExited; i++) await new Promise((r) => setTimeout(r, 50));
        const first = seen[0];
        if (!first) fail(sent, 'a datagram "hello" at the server', program.hasExited ? program.describeExit() : 'no datagram within 3 s', 'Read a line from standard input, then sendto() it to the server\'s path (the first argument).');
        if (first.text !== 'hello') fail(sent, 'a datagram "hello"', `a datagram ${show(first.text)}`, 'Send the line without its newline, and only the bytes of the line (not the whole buffer).');
        if (!first.from) fail(sent, 'a datagram from a bound address', 'a datagram from a socket with no address', BIND_HINT);
        return { sent, expected: 'a datagram "hello" from a bound address', got: `"hello" from ${first.from}` };
      },
    },
    {
      id: 'prints-answers',
      title: 'Prints the server\'s answer to each line, in order',
      timeoutMs: 6000,
      run: async (t) => {
        serve(t);
        const program = t.start({ stdin: true });
        const lines = ['one', 'two', 'three'];
        const sent = 'lines "one", "two", "three" on the client\'s input';
        const expected = lines.map((l) => `ack: ${l}`);
        for (const line of lines) program.write(`${line}\n`);
        const ok = await waitLines(program, expected, 4000);
        const printed = program.output.split('\n').filter((l) => l.startsWith('ack: '));
        if (!ok || printed.join('|') !== expected.join('|')) fail(sent, expected.map((l) => show(l)).join(', '), printed.length ? printed.map((l) => show(l)).join(', ') : `no "ack:" lines${program.output.trim() ? `; it printed ${show(program.output.trim().slice(-200))}` : ''}`, `Wait for the answer after each datagram and print it on a line of its own (flush stdout in C). ${BIND_HINT}`);
        return { sent, expected: expected.map((l) => show(l)).join(', '), got: printed.map((l) => show(l)).join(', ') };
      },
    },
    {
      id: 'clean-exit',
      title: 'At the end of its input, exits 0 and removes its own socket file',
      timeoutMs: 6000,
      run: async (t) => {
        const { seen } = serve(t);
        const program = t.start({ stdin: true });
        program.write('bye\n');
        await program.waitForOutput('ack: bye', 3000).catch(() => {});
        program.endInput();
        const sent = '"bye", then the end of input';
        const expected = 'exit code 0, and its socket file gone';
        if (!(await program.exitsWithin(2000))) fail(sent, expected, 'it was still running 2 s after its input ended', 'When reading standard input returns end of file (fgets NULL, Scanner.Scan false, readline "close"), clean up and exit.');
        const own = seen[0]?.from;
        if (program.exitCode !== 0) fail(sent, expected, program.describeExit(), 'Exit with code 0 when all went well.');
        if (own && exists(own)) fail(sent, expected, `it exited, but its socket file ${own} is still there`, 'A bound socket file stays after close() and exit: unlink() your own path before exiting.');
        return { sent, expected, got: expected };
      },
    },
  ],
});
