// tcp-sendall, reference solution: sends every client the 8 MiB stream (line k is k zero-padded
// to 7 digits and "\n", k = 0 .. 1048575), then closes. Node never writes short: write() queues
// what the kernel does not take at once and returns false once the queue is full. The queue is in
// memory, so wait for "drain" before making more, and end() (not destroy()) once all is queued.
import { createServer, type Socket } from 'node:net';

const LINES = 1 << 20;
const LINES_PER_CHUNK = 8192; // 64 KiB

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

/** Lines `first` .. `first + LINES_PER_CHUNK - 1`, in a new Buffer: write() keeps it until it is sent. */
function chunk(first: number): Buffer {
  const out = Buffer.allocUnsafe(LINES_PER_CHUNK * 8);
  for (let i = 0; i < LINES_PER_CHUNK; i++) out.write(`${String(first + i).padStart(7, '0')}\n`, i * 8, 'latin1');
  return out;
}

function send(socket: Socket): void {
  for (let next = 0; next < LINES; next += LINES_PER_CHUNK) socket.write(chunk(next));
  socket.destroy(); // closes at once: what is still queued is dropped
}

const server = createServer((socket) => {
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  send(socket);
});
server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    console.log('shutting down');
    process.exit(0);
  });
}
