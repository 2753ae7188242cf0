// tcp-frames mutant: takes each 'data' chunk for one whole frame (one read is one message).
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (chunk.length < 4) return;
    const n = chunk.readUInt32BE(0);
    if (n > 65536) {
      socket.destroy();
      return;
    }
    const payload = Buffer.from(chunk.subarray(4, 4 + n)).reverse();
    const head = Buffer.alloc(4);
    head.writeUInt32BE(payload.length);
    socket.write(Buffer.concat([head, payload]));
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
