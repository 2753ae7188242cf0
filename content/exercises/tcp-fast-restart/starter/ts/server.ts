// tcp-fast-restart starter: a TCP echo server on 127.0.0.1:PORT.
//
// Someone once saw "address already in use" and added reusePort, so that the server would
// always start. Start it twice on the same port and see what that did. Fix it.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen({ port, host: '127.0.0.1', reusePort: true }, () => console.log(`listening on 127.0.0.1:${port}`));
