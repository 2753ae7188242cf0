// tcp-echo starter: a TCP echo server on 127.0.0.1:PORT.
//
// It listens, but answers nothing. Write every byte a client sends back to it, and close your side
// when the client has finished (its "end" event). Run: node server.ts PORT
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    // TODO: send the bytes back.
    console.log(`received ${chunk.length} bytes`);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
