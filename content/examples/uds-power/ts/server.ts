// Line echo server on an abstract Unix socket name: what Node core can do of this lesson.
//
// Shows: server.listen('\0name'): a path starting with a NUL byte is an abstract name on Linux
// (no file: nothing stale to remove, nothing to unlink). What it cannot show: SO_PEERCRED. Node
// core has no getsockopt, so a Node server cannot ask who connected; it logs what it can.
//
// Run: node server.ts @socketlab-uds-power    then: node client.ts @socketlab-uds-power
import net from 'node:net';

const MAX_LINE = 64 * 1024;

const args = process.argv.slice(2);
const name = args[0] ?? '@socketlab-uds-power';
if (args.length > 1 || !name.startsWith('@') || name.length < 2) {
  console.error('usage: server [@name] (an abstract name, e.g. @socketlab-uds-power)');
  process.exit(2);
}

const clients = new Set<net.Socket>();
let count = 0;

const server = net.createServer((socket) => {
  const id = ++count; // Unix clients have no address of their own: number them
  clients.add(socket);
  console.log(`client #${id} connected`);
  let pending = '';
  socket.setEncoding('utf8');
  const answer = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    console.log(`client #${id} says: ${line}`);
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
      console.error(`client #${id}: line longer than ${MAX_LINE} bytes, closing`);
      socket.destroy();
    }
  });
  socket.on('end', () => {
    if (pending.length > 0) answer(pending); // a last line without its newline is still a line
    socket.end();
  });
  socket.on('error', (err) => console.error(`client #${id}: ${err.message}`));
  socket.on('close', () => {
    clients.delete(socket);
    console.log(`client #${id} disconnected`);
  });
});

server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
// '@' is how people write it; the kernel's abstract names start with a NUL byte instead.
server.listen(`\0${name.slice(1)}`, () => console.log(`listening on ${name}`));

function shutdown(): void {
  server.close(() => {
    console.log('shutting down'); // the name is free again: there was no file to remove
    process.exit(0);
  });
  for (const socket of clients) socket.destroy();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
