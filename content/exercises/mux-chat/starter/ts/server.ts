// mux-chat starter: greets each client with "welcome\n" and relays every line to every other
// client.
//
// Node's write() never blocks, so a client that does not read delays nobody here. But every
// line for it waits in the server's memory, forever: its backlog grows as long as the others
// talk. socket.writableLength says how much waits; disconnect a client once it passes 1 MiB.
import { createServer, type Socket } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const room = new Set<Socket>();
const server = createServer((socket) => {
  room.add(socket);
  socket.write('welcome\n');
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline + 1);
      pending = pending.slice(newline + 1);
      for (const other of room) if (other !== socket) other.write(line); // TODO: how far behind is `other`?
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => room.delete(socket));
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => console.log(`listening on 127.0.0.1:${port}`));
