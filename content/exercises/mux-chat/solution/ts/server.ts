// mux-chat, reference solution: a chat server on Node's event loop.
//
// Each client is greeted with "welcome\n"; every line it sends goes to every other client.
// write() never blocks: what the kernel does not take waits in the socket's queue, whose size is
// socket.writableLength. A client with more than 1 MiB waiting is disconnected, so one that does
// not read neither delays the others nor grows the server's memory. SIGINT or SIGTERM stops it.
import { createServer, type Socket } from 'node:net';

const MAX_BEHIND = 1 << 20;
const MAX_LINE = 64 * 1024;

const args = process.argv.slice(2);
const port = Number(args[0]);
if (args.length !== 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT   (port: 0-65535)');
  process.exit(2);
}

const room = new Set<Socket>();

function send(to: Socket, line: string): void {
  if (to.writableLength + Buffer.byteLength(line) > MAX_BEHIND) {
    console.log(`client ${to.remoteAddress}:${to.remotePort} left (more than 1 MiB behind)`);
    room.delete(to);
    to.destroy(); // its queue is dropped with it
    return;
  }
  to.write(line);
}

const server = createServer((socket) => {
  const name = `${socket.remoteAddress}:${socket.remotePort}`;
  room.add(socket);
  console.log(`client ${name} joined`);
  socket.write('welcome\n');
  let pending = ''; // received, not yet a whole line
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline + 1);
      pending = pending.slice(newline + 1);
      for (const other of room) if (other !== socket) send(other, line);
    }
    if (pending.length > MAX_LINE) socket.destroy();
  });
  const leave = () => {
    if (room.delete(socket)) console.log(`client ${name} left`);
  };
  socket.on('end', () => {
    leave(); // a client that has finished gets no more lines
    socket.end();
  });
  socket.on('error', () => {}); // 'close' follows
  socket.on('close', leave);
});

server.on('error', (err) => {
  if (server.listening) return console.error(`accept failed: ${err.message}`);
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => console.log(`listening on 127.0.0.1:${port}`));

function shutdown(): void {
  server.close(() => {
    console.log('shutting down');
    process.exit(0);
  });
  for (const socket of room) socket.destroy();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
