// tcp-idle-timeout starter: a TCP echo server on 127.0.0.1:PORT.
//
// It sets a 2 s timeout on every socket, yet a silent client is never closed. Read what
// socket.setTimeout() does (and does not do) in Node's documentation, and fix it.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.setTimeout(2000); // TODO
  socket.pipe(socket);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
