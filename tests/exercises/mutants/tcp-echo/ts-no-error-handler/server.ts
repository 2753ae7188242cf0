// tcp-echo, mutant (no 'error' handler: one reset connection crashes the process): a TCP echo server. Every socket has its own events, so Node serves
// many clients at once; pipe() writes every byte and ends our side when the client ends its.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.pipe(socket);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
