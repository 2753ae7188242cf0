// life-keepalive, reference solution: a TCP line echo server on 127.0.0.1:PORT with keepalive on
// every connection: after 2 s of silence the kernel probes the peer every 1 s, and after 10
// unanswered probes the connection fails with ETIMEDOUT. setKeepAlive(true, 2000) sets the idle
// time (milliseconds, cut to whole seconds); the interval of 1 s and the count of 10 are the
// values libuv sets itself, and Node has no API to change them.
import net from 'node:net';

const MAX_LINE = 64 * 1024; // longer lines are a protocol error
const KEEPALIVE_IDLE_MS = 2000; // silence before the first probe

const args = process.argv.slice(2);
const port = Number(args[0]);
if (args.length !== 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT   (port: 0-65535)');
  process.exit(2);
}

const clients = new Set<net.Socket>();

const server = net.createServer((socket) => {
  const name = `${socket.remoteAddress}:${socket.remotePort}`;
  clients.add(socket);
  // Keepalive probes an idle connection, so a peer that vanished without a FIN or RST (power cut,
  // cable pulled, a NAT that forgot the flow) is noticed: the socket then fails with ETIMEDOUT.
  socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
  console.log(`client ${name} connected (keepalive: idle 2 s, interval 1 s, 10 probes)`);
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

server.listen(port, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on ${address.address}:${address.port}`);
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
