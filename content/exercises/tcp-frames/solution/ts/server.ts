// tcp-frames, reference solution: length-prefixed frames over TCP. Each frame is a 4-byte
// big-endian length N (at most 65536) and N bytes; the answer is a frame of the bytes reversed.
import { createServer } from 'node:net';

const MAX_FRAME = 65536;
const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  let pending = Buffer.alloc(0);
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // A chunk can hold part of a frame, or several: answer every whole frame, keep the rest.
    while (pending.length >= 4) {
      const n = pending.readUInt32BE(0);
      if (n > MAX_FRAME) {
        socket.destroy();
        return;
      }
      if (pending.length < 4 + n) break;
      const head = pending.subarray(0, 4);
      const payload = Buffer.from(pending.subarray(4, 4 + n)).reverse();
      pending = pending.subarray(4 + n);
      // A client that does not read fills the send buffer: stop reading until it drains,
      // instead of queueing answers in memory without limit.
      if (!socket.write(Buffer.concat([head, payload])) && !socket.isPaused()) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    }
  });
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
