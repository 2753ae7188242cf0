// A TCP connection's life, seen from the server: the tcp lesson's line echo server, plus
// keepalive on every connection and two commands that end a connection in the two ways TCP has.
//
//   close  the server closes first, with a FIN (socket.end()): its side then waits in TIME_WAIT
//   reset  the server aborts with socket.resetAndDestroy() (SO_LINGER 0 underneath): the kernel
//          sends a RST, the client's next read fails with ECONNRESET, and no side keeps TIME_WAIT
//
// Keepalive: setKeepAlive(true, 10000) sets the idle time only (in ms, whole seconds count).
// libuv then sets the interval to 1 s and the count to 10 itself, and Node has no API to change
// them: the C and Go servers use 5 s and 3 probes. `ss -tno` shows the timer counting down from 10 s.
//
// Run: node server.ts 9090        then, in another terminal: node client.ts 127.0.0.1 9090
import net from 'node:net';

const MAX_LINE = 64 * 1024; // longer lines are a protocol error
const KEEPALIVE_IDLE_MS = 10_000; // silence before the first probe

const args = process.argv.slice(2);
const port = Number(args[0] ?? '9090');
if (args.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: server [port]   (port: 0-65535)');
  process.exit(2);
}

const clients = new Set<net.Socket>();

const server = net.createServer((socket) => {
  const name = `${socket.remoteAddress}:${socket.remotePort}`;
  clients.add(socket);
  // Keepalive probes an idle connection, so a peer that vanished without a FIN or RST (power cut,
  // cable pulled, a NAT that forgot the flow) is noticed: the socket then fails with ETIMEDOUT.
  socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
  console.log(`client ${name} connected (keepalive: idle 10 s, interval 1 s, 10 probes: libuv's own)`);
  let pending = ''; // bytes received that do not yet end with '\n'
  let ending = false; // after close or reset, later lines are not answered
  socket.setEncoding('utf8');
  const answer = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    if (ending) return;
    if (line === 'close') {
      ending = true;
      console.log(`client ${name}: closing first (FIN: this side will be in TIME_WAIT)`);
      socket.end();
      return;
    }
    if (line === 'reset') {
      ending = true;
      console.log(`client ${name}: reset (SO_LINGER 0: RST, no TIME_WAIT)`);
      socket.resetAndDestroy();
      return;
    }
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
    if (!socket.destroyed) socket.end();
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
