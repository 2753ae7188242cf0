// tcp-sendall starter: sends every client the 8 MiB stream (line k is k zero-padded to 7 digits
// and "\n", k = 0 .. 1048575), then closes.
//
// It fills one 64 KiB Buffer again and again and writes it, ignoring what write() returns, then
// destroys the socket. Against a client that reads slowly, both lose data. Fix them.
import { createServer } from 'node:net';

const LINES = 1 << 20;
const LINES_PER_CHUNK = 8192; // 64 KiB

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const buffer = Buffer.alloc(LINES_PER_CHUNK * 8);
const server = createServer((socket) => {
  socket.on('error', () => {});
  for (let first = 0; first < LINES; first += LINES_PER_CHUNK) {
    for (let i = 0; i < LINES_PER_CHUNK; i++) buffer.write(`${String(first + i).padStart(7, '0')}\n`, i * 8, 'latin1');
    socket.write(buffer); // TODO: write() may keep `buffer` to send later; its return value says so
  }
  socket.destroy(); // TODO: destroy() throws away whatever is still queued
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
