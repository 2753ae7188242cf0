// tcp-echo, reference solution: a TCP echo server. Every socket has its own events, so Node serves
// many clients at once; pipe() writes every byte and ends our side when the client ends its.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const server = createServer((socket) => {
  // A client that resets the connection is that client's problem: without a handler the 'error'
  // event would end the whole server.
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  socket.pipe(socket);
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
