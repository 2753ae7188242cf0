// TCP line echo server: one handler per connection, clean shutdown on Ctrl-C.
//
// Shows: net.createServer().listen() (socket + bind + listen; Node sets SO_REUSEADDR for you),
// a 'connection' handler per client, buffering a byte stream into lines (a chunk can hold part of
// a line or several lines), 'end' (EOF) vs 'error', and closing the server on SIGINT/SIGTERM.
//
// Run: node server.ts 9090        then, in another terminal: node client.ts 127.0.0.1 9090
import net from 'node:net';

const MAX_LINE = 64 * 1024; // longer lines are a protocol error

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
  console.log(`client ${name} connected`);
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
