/**
 * Checker of addr-fallback: a client started as `client HOST PORT` that tries every address HOST
 * resolves to, in order, until one connects; sends "hello\n", prints the line the server answers
 * and exits 0; exits non-zero when no address connects. The checker is the server, listening on
 * one family only: in the lab `localhost` is ::1 first, then 127.0.0.1.
 */
import { fail, lineServer, runChecker, show, type Context, type Program } from '../_lib/checker.ts';

const FIRST_ONLY = 'localhost has two addresses here, ::1 first, then 127.0.0.1, and the server listens on one of them. Loop over every result of getaddrinfo (Go\'s net.Dial and Node\'s net.connect do with their defaults: do not pass "tcp4"/"tcp6", family or autoSelectFamily: false) and go on to the next address when connect() fails.';

/** Runs the client with `host`, waits for it to exit (5 s at most) and returns it. */
async function runClient(t: Context, host: string): Promise<Program> {
  const program = t.start({ command: t.command.replace(' localhost ', ` ${host} `) });
  if (!(await program.exitsWithin(5000))) {
    fail(`${program.command}`, 'the client to exit within 5 s', `it was still running after 5 s; it printed ${show(program.output.trim() || '(nothing)')}`, 'Send "hello\\n", read one line, print it and exit. A connect() that hangs needs a timeout; a refused one should go on to the next address.');
  }
  return program;
}

/** The server answers `reply` on `host` only; the client given `clientHost` must print it and exit 0. */
async function reaches(t: Context, serverHost: string, clientHost: string, reply: string, hint: string) {
  const server = await lineServer(t, serverHost, t.addr.port, reply);
  const program = await runClient(t, clientHost);
  const sent = `a server on ${serverHost.includes(':') ? `[${serverHost}]` : serverHost}:${t.addr.port} only; ${program.command}`;
  const expected = `the client sends "hello", prints ${show(reply)} and exits 0`;
  if (server.lines.length === 0) fail(sent, expected, `no connection reached the server; ${program.describeExit()}`, hint);
  if (server.lines[0] !== 'hello') fail(sent, expected, `the server received ${show(server.lines[0]!)}`, 'Send exactly "hello\\n" once connected.');
  if (!program.output.split('\n').some((line) => line.replace(/\r$/, '') === reply)) fail(sent, expected, `the client printed ${show(program.output.trim())}`, `Print the server's answer line, ${show(reply)}, on a line of its own.`);
  if (program.exitCode !== 0) fail(sent, expected, program.describeExit(), 'Exit 0 once you printed the answer.');
  return { sent, expected, got: `connected, printed ${show(reply)}, exited 0` };
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'fallback',
      title: 'Goes on to 127.0.0.1 when ::1 refuses',
      timeoutMs: 7000,
      run: (t) => reaches(t, '127.0.0.1', 'localhost', 'hi over IPv4', FIRST_ONLY),
    },
    {
      id: 'ipv6',
      title: 'Connects over IPv6 when only ::1 listens',
      timeoutMs: 7000,
      run: (t) => reaches(t, '::1', 'localhost', 'hi over IPv6', 'Only an IPv6 server listens, and your client never reached it: ask getaddrinfo for any family (AF_UNSPEC, not AF_INET; Go "tcp", not "tcp4"; Node without family: 4) and make each socket with that address\'s own family (ai_family).'),
    },
    {
      id: 'literal',
      title: 'Takes an IPv6 literal as the host (::1)',
      timeoutMs: 7000,
      run: (t) => reaches(t, '::1', '::1', 'hi over IPv6', 'The host is "::1": "::1" + ":" + port is not an address. Go: net.JoinHostPort(host, port) adds the brackets ("[::1]:9090"); C: give host and port to getaddrinfo separately.'),
    },
    {
      id: 'nothing-listens',
      title: 'Exits non-zero when no address connects',
      timeoutMs: 7000,
      run: async (t) => {
        const program = await runClient(t, 'localhost');
        const sent = `nothing listens on port ${t.addr.port}; ${program.command}`;
        if (program.exitCode === 0) fail(sent, 'an error message and a non-zero exit code', `${program.describeExit()}`, 'When every address has failed, say so on stderr (with the last error) and exit 1: a script running your client must see the failure.');
        return { sent, expected: 'a non-zero exit code', got: program.describeExit() };
      },
    },
  ],
});
