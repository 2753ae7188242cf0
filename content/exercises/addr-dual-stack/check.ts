/**
 * Checker of addr-dual-stack: a "who am I" server started as `server {port}` that IPv4 and IPv6
 * clients both reach, and that answers every line with `you are <ip> port <port> over <family>`,
 * naming each client by the address it really has: 127.0.0.1 over IPv4 (never the v4-mapped
 * ::ffff:127.0.0.1), ::1 over IPv6.
 */
import { connectTcpTo, fail, runChecker, show, sleep, type Conn } from '../_lib/checker.ts';

const V4_REFUSED = 'IPv4 clients are refused: your socket is IPv6-only (IPV6_V6ONLY is 1: C setsockopt(IPV6_V6ONLY, 1), Go "tcp6", Node ipv6Only: true). Listen on [::] with IPV6_V6ONLY set to 0 (Go "tcp", Node ipv6Only: false).';
const V6_REFUSED = 'IPv6 clients (::1) are refused: your server listens on IPv4 only (127.0.0.1 or 0.0.0.0, an AF_INET socket, Go "tcp4"). Make one AF_INET6 socket on [::] with IPV6_V6ONLY 0: it takes both families.';
const MAPPED = 'An IPv4 client of an IPv6 socket shows up as ::ffff:127.0.0.1 (a v4-mapped address): it is the IPv4 client 127.0.0.1. Report the last four bytes as IPv4 (C: IN6_IS_ADDR_V4MAPPED; Go: ip.To4() != nil; Node: remoteFamily is the socket\'s family, so strip "::ffff:" yourself).';

interface Client {
  conn: Conn;
  /** The checker's own address, which the answer must name: '127.0.0.1' or '::1'. */
  ip: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Connects from `host`; a refused connection fails the check with `refusedHint`. */
async function connect(t: { addr: { port: number }; defer: (fn: () => void) => void }, host: string, refusedHint: string): Promise<Client> {
  const conn = await connectTcpTo(host, t.addr.port).catch((err: Error) =>
    fail(`a connection from ${host} to port ${t.addr.port}`, 'the connection accepted', `connect failed: ${err.message}`, refusedHint),
  );
  t.defer(() => conn.close());
  const family = host.includes(':') ? 'IPv6' : 'IPv4';
  return { conn, ip: host, family, port: conn.socket.localPort! };
}

function expectedFor(c: Client): string {
  return `you are ${c.ip} port ${c.port} over ${c.family}`;
}

/** Reads one answer line and fails with the hint that names what is wrong with it. */
async function expectAnswer(c: Client, sent: string): Promise<string> {
  const expected = expectedFor(c);
  const got = await c.conn.readLine(2000).catch(() => null);
  if (got === null) fail(sent, show(expected), c.conn.ended ? 'the connection closed with no answer line' : `no complete line within 2 s (received ${show(c.conn.pending)})`, 'Answer every line with one line ending in "\\n", keep the connection open for the next, and serve every client at once (a thread, goroutine or handler per connection).');
  if (got === expected) return got;
  const hint = /::ffff:/i.test(got)
    ? MAPPED
    : c.family === 'IPv4' && got.includes(`${c.ip} `) && got.endsWith('IPv6')
      ? `${MAPPED} The family is the client's, not your socket's.`
      : swapped(got, c.port)
        ? 'The port is byte-swapped: sin6_port / sin_port hold network byte order (big-endian). Print ntohs(addr.sin6_port).'
        : `Answer exactly "you are <ip> port <port> over IPv4|IPv6", with the client's own address and port (${c.ip} and ${c.port} here).`;
  fail(sent, show(expected), show(got), hint);
}

/** True when `line` names the port with its two bytes swapped. */
function swapped(line: string, port: number): boolean {
  const wrong = ((port & 0xff) << 8) | (port >> 8);
  return wrong !== port && line.includes(` port ${wrong} `);
}

await runChecker({
  readiness: (a) => ({ tcp: a.port }),
  checks: [
    {
      id: 'ipv4',
      title: 'Answers an IPv4 client (127.0.0.1) as IPv4',
      run: async (t) => {
        await t.server();
        const c = await connect(t, '127.0.0.1', V4_REFUSED);
        const sent = `"whoami\\n" from 127.0.0.1 port ${c.port}`;
        await c.conn.write('whoami\n');
        const got = await expectAnswer(c, sent);
        return { sent, expected: show(expectedFor(c)), got: show(got) };
      },
    },
    {
      id: 'ipv6',
      title: 'Answers an IPv6 client (::1) on the same port',
      run: async (t) => {
        await t.server();
        const c = await connect(t, '::1', V6_REFUSED);
        const sent = `"whoami\\n" from ::1 port ${c.port}`;
        await c.conn.write('whoami\n');
        const got = await expectAnswer(c, sent);
        return { sent, expected: show(expectedFor(c)), got: show(got) };
      },
    },
    {
      id: 'port',
      title: 'Reports each client\'s own port, in host byte order',
      run: async (t) => {
        await t.server();
        // Ports whose bytes differ, from both families: a port printed without ntohs() is another number.
        const clients = [await connect(t, '127.0.0.1', V4_REFUSED), await connect(t, '::1', V6_REFUSED)];
        const got: string[] = [];
        for (const c of clients) {
          await c.conn.write('whoami\n');
          got.push(await expectAnswer(c, `"whoami\\n" from ${c.ip} port ${c.port}`));
        }
        return { sent: `"whoami\\n" from ${clients.map((c) => `${c.ip} port ${c.port}`).join(' and ')}`, expected: clients.map((c) => show(expectedFor(c))).join(', '), got: got.map((g) => show(g)).join(', ') };
      },
    },
    {
      id: 'both-at-once',
      title: 'Serves an IPv4 and an IPv6 client at once, lines split and joined',
      run: async (t) => {
        await t.server();
        const v4 = await connect(t, '127.0.0.1', V4_REFUSED);
        const v6 = await connect(t, '::1', V6_REFUSED);
        const sent = 'both connected; from ::1 "who" then, 100 ms later, "ami\\n"; from 127.0.0.1 "whoami\\nwhoami\\n" in one write';
        // Both stay connected: a server that serves one client until it leaves never answers the other.
        await v6.conn.write('who');
        await v4.conn.write('whoami\nwhoami\n');
        await sleep(100);
        await v6.conn.write('ami\n');
        const got = [await expectAnswer(v4, sent), await expectAnswer(v4, sent), await expectAnswer(v6, sent)];
        return { sent, expected: [v4, v4, v6].map((c) => show(expectedFor(c))).join(', '), got: got.map((g) => show(g)).join(', ') };
      },
    },
  ],
});
