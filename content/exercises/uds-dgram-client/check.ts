/**
 * Checker of uds-dgram-client: the learner writes a Unix datagram *client*, started as
 * `client {socket}`; the checker is the server at {socket}. For each line of its input the client
 * sends a datagram from an address it bound itself, in a private directory, prints the answer
 * (waiting at most 2 s, dropping late answers to earlier lines), and at the end of its input
 * removes its own socket file and directory and exits 0.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail, runChecker, show, sleep, type Program, UnixDgram, exists } from '../_lib/checker.ts';

const BIND_HINT = 'A Unix datagram socket that never binds has no address, so the server has nowhere to send its answer. bind() your socket to a path of your own, <dir>/client.sock inside a fresh directory from mkdtemp(), before sending.';

interface Seen {
  text: string;
  from: string | undefined;
  at: number;
}

/**
 * The checker's server: answers each datagram "ack: <text>" at the sender's address, after
 * `delayOf(text)` ms (null: never).
 */
function serve(t: { addr: { socket: string }; defer: (fn: () => void) => void }, delayOf: (text: string) => number | null = () => 0): { server: UnixDgram; seen: Seen[] } {
  const server = new UnixDgram(t.addr.socket);
  t.defer(() => server.close());
  const seen: Seen[] = [];
  void (async () => {
    for (;;) {
      const d = await server.receive(60_000);
      if (!d) return;
      const text = d.data.toString();
      seen.push({ text, from: d.from, at: Date.now() });
      const delay = delayOf(text);
      if (!d.from || delay === null) continue;
      const to = d.from;
      const reply = Buffer.concat([Buffer.from('ack: '), d.data]);
      setTimeout(() => void server.send(reply, to).catch(() => {}), delay);
    }
  })();
  return { server, seen };
}

/** Waits until the server has seen `n` datagrams, or the program exits, or `ms` pass. */
async function waitSeen(seen: Seen[], n: number, program: Program, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (seen.length < n && !program.hasExited && Date.now() < until) await sleep(25);
}

/** The lines the program printed that start with "ack: ". */
function acks(program: Program): string[] {
  return program.output.split('\n').filter((l) => l.startsWith('ack: '));
}

async function waitLines(program: Program, lines: string[], ms: number): Promise<boolean> {
  try {
    await program.waitForOutput(`${lines.at(-1)}\n`, ms);
  } catch {
    return false;
  }
  return lines.every((l) => program.output.includes(l));
}

/** True for a directory anybody may create files in (/tmp): no place for a name others can guess. */
function sharedDirectory(dir: string): boolean {
  try {
    return (lstatSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
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
        await waitSeen(seen, 1, program, 3000);
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
      id: 'private-path',
      title: 'Binds in a private directory, not at a name others can guess',
      run: async (t) => {
        const { seen } = serve(t);
        const program = t.start({ stdin: true });
        program.write('where\n');
        await waitSeen(seen, 1, program, 2000);
        const own = seen[0]?.from;
        const sent = '"where" on the client\'s input';
        const expected = 'a datagram from <dir>/<name>, where <dir> is a fresh directory closed to others (mode 0700, or 0710 to let your group in)';
        if (!own) fail(sent, expected, program.hasExited ? program.describeExit() : 'no datagram from a bound address within 2 s', BIND_HINT);
        const dir = dirname(own);
        const hint = 'A client with a racy address: tmpnam() and names like /tmp/client-<pid>.sock can be guessed, and anybody may create that file in /tmp first (bind then fails, or a look-alike socket steals your answers). Make a fresh private directory with mkdtemp("/tmp/uds-client-XXXXXX") (Go: os.MkdirTemp, Node: fs.mkdtempSync) and bind <dir>/client.sock.';
        if (sharedDirectory(dir)) fail(sent, expected, `a datagram from ${own}, right in ${dir}, where anybody may create files`, hint);
        let mode = -1;
        try {
          mode = lstatSync(dir).mode & 0o777;
        } catch {}
        if (mode < 0 || (mode & 0o027) !== 0) fail(sent, expected, `a datagram from ${own}, in a directory of mode ${mode < 0 ? '(unknown)' : `0${mode.toString(8)}`}`, hint);
        return { sent, expected, got: `a datagram from ${own} (directory mode 0${mode.toString(8)})` };
      },
    },
    {
      id: 'timeout',
      title: 'Gives up on an answer after 2 s, goes on, and drops answers that come late',
      timeoutMs: 8000,
      run: async (t) => {
        // "never" is never answered; "late" is answered after 2.4 s (after the client gave up on it);
        // "fresh" after 0.6 s, so the late answer to "late" arrives first.
        const { seen } = serve(t, (text) => (text === 'never' ? null : text === 'late' ? 2400 : text === 'fresh' ? 600 : 0));
        const program = t.start({ stdin: true });
        program.write('never\nlate\nfresh\n');
        program.endInput();
        const sent = 'lines "never" (never answered), "late" (answered after 2.4 s) and "fresh" (answered after 0.6 s), then the end of input';
        const expected = '"ack: fresh" and nothing else on standard output, each wait at most 2 s';
        await waitSeen(seen, 3, program, 5500);
        // "fresh" is answered 0.6 s after it came; then the input is over and the client exits.
        if (seen.length === 3) await program.exitsWithin(2500);
        const printed = acks(program);
        const got = `${seen.length} datagram${seen.length === 1 ? '' : 's'} received; it printed ${printed.length ? printed.map((l) => show(l)).join(', ') : 'no "ack:" line'}`;
        if (seen.length < 2) fail(sent, expected, got, program.hasExited ? 'Waiting for an answer that never comes is not the end: after 2 s, print "no answer within 2 s" to standard error and go on with the next line.' : 'Waiting forever for a reply: recvfrom() blocks until something arrives, and the server may never answer. Put a 2 s timeout on the wait (C: SO_RCVTIMEO or poll; Go: SetReadDeadline; Node: a timer), then go on with the next line.');
        const waited = (seen[1]!.at - seen[0]!.at) / 1000;
        if (waited > 2.8) fail(sent, expected, `${got}; it waited ${waited.toFixed(1)} s for the answer to "never"`, 'Wait at most 2 s for each answer (C: SO_RCVTIMEO or poll; Go: SetReadDeadline; Node: a timer).');
        if (printed.includes('ack: late')) fail(sent, expected, got, 'An answer that comes after you gave up belongs to that earlier line: it arrives while you wait for the next one. Match each answer to its line (only "ack: <this line>" answers it) and drop the others.');
        if (printed.join('|') !== 'ack: fresh') fail(sent, expected, got, 'After a timeout, go on with the next line and print its answer ("ack: fresh") once it comes.');
        return { sent, expected, got };
      },
    },
    {
      id: 'clean-exit',
      title: 'At the end of its input, exits 0 and removes its own socket file and directory',
      timeoutMs: 6000,
      run: async (t) => {
        const { seen } = serve(t);
        const program = t.start({ stdin: true });
        program.write('bye\n');
        await program.waitForOutput('ack: bye', 3000).catch(() => {});
        program.endInput();
        const sent = '"bye", then the end of input';
        const expected = 'exit code 0, and its socket file and directory gone';
        if (!(await program.exitsWithin(2000))) fail(sent, expected, 'it was still running 2 s after its input ended', 'When reading standard input returns end of file (fgets NULL, Scanner.Scan false, readline "close"), clean up and exit.');
        const own = seen[0]?.from;
        if (program.exitCode !== 0) fail(sent, expected, program.describeExit(), 'Exit with code 0 when all went well.');
        if (own && exists(own)) fail(sent, expected, `it exited, but its socket file ${own} is still there`, 'Leaving socket files behind: a bound socket file stays after close() and exit. unlink() your own path before exiting.');
        const dir = own ? dirname(own) : null;
        if (dir && !sharedDirectory(dir) && exists(dir)) fail(sent, expected, `it exited, but its directory ${dir} is still there`, 'Leaving files behind: remove the directory mkdtemp() made too (rmdir, after unlinking the socket file).');
        return { sent, expected, got: expected };
      },
    },
  ],
});
