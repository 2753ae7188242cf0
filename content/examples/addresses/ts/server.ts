// Dual-stack line echo server: ONE listener on [::] that IPv4 and IPv6 clients both reach.
//
// Shows: server.listen({ host: '::', ipv6Only: false }): an AF_INET6 socket with IPV6_V6ONLY
// set to 0 (ipv6Only: true sets it to 1). An IPv4 client then arrives as remoteAddress
// '::ffff:127.0.0.1' with remoteFamily 'IPv6': Node reports the socket's family, not the
// client's, so the server unmaps the address itself (net.isIPv4 on what follows '::ffff:').
// Each client is greeted with "you are <ip> over IPv4|IPv6"; the rest is the tcp lesson's server.
//
// Run: node server.ts 9090        then, in another terminal: node client.ts ::1 9090
import net from 'node:net';

const MAX_LINE = 64 * 1024; // longer lines are a protocol error

const args = process.argv.slice(2);
const port = Number(args[0] ?? '9090');
if (args.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: server [port]   (port: 0-65535)');
  process.exit(2);
}

const clients = new Set<net.Socket>();

/** The client's own address and family: ::ffff:a.b.c.d is an IPv4 client of an IPv6 socket. */
function peerOf(socket: net.Socket): { ip: string; family: 'IPv4' | 'IPv6' } {
  const address = socket.remoteAddress ?? '?';
  const mapped = /^::ffff:(.*)$/i.exec(address);
  if (mapped && net.isIPv4(mapped[1]!)) return { ip: mapped[1]!, family: 'IPv4' };
  return { ip: address, family: net.isIPv4(address) ? 'IPv4' : 'IPv6' };
}

const server = net.createServer((socket) => {
  const { ip, family } = peerOf(socket);
  const name = family === 'IPv4' ? `${ip}:${socket.remotePort}` : `[${ip}]:${socket.remotePort}`;
  clients.add(socket);
  console.log(`client ${name} connected over ${family}`);
  socket.write(`you are ${ip} over ${family}\n`);
  let pending = ''; // bytes received that do not yet end with '\n'
  socket.setEncoding('utf8');
  const answer = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    console.log(`client ${name} says: ${line}`);
    // write() queues everything; Node keeps writing until the kernel has taken it all.
    socket.write(`echo: ${line}\n`);
  };

  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      answer(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    if (pending.length > MAX_LINE) {
      console.error(`client ${name}: line longer than ${MAX_LINE} bytes, closing`);
      socket.destroy();
    }
  });
  // 'end' is EOF: the client shut down its sending side. A last line without its newline is
  // still a line: answer it, then finish our side too.
  socket.on('end', () => {
    if (pending.length > 0) answer(pending);
    socket.end();
  });
  socket.on('error', (err) => console.error(`client ${name}: ${err.message}`));
  socket.on('close', () => {
    clients.delete(socket);
    console.log(`client ${name} disconnected`);
  });
});

server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});

server.listen({ port, host: '::', ipv6Only: false }, () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on [${address.address}]:${address.port} (IPv4 and IPv6)`);
});

function shutdown(): void {
  // close() stops accepting; it completes once every open connection has closed, so close them.
  server.close(() => {
    console.log('shutting down');
    process.exit(0);
  });
  for (const socket of clients) socket.destroy();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
