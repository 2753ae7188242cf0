// tcp-frames starter: length-prefixed frames over TCP. Each frame is a 4-byte big-endian length
// N (at most 65536) and N bytes; answer each with a frame of the same bytes reversed, and close
// the connection when a length is over 65536.
//
// This version assumes one "data" event is one whole frame. It is not: buffer the chunks.
// Run: node server.ts PORT
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    // TODO: a chunk is not a frame.
    if (chunk.length < 4) return;
    const payload = Buffer.from(chunk.subarray(4)).reverse();
    socket.write(Buffer.concat([chunk.subarray(0, 4), payload]));
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
