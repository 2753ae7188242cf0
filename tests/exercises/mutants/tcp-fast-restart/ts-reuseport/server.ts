// tcp-fast-restart, reference solution: a TCP echo server that can be restarted at once after a
// crash. Node (libuv) sets SO_REUSEADDR on every listening TCP socket: bind takes the port while
// connections of the old process wait out TIME_WAIT. The reusePort option would let a second copy
// listen beside this one, so it stays off; a port in use is an error to report, not to retry.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const server = createServer((socket) => {
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  socket.pipe(socket); // echoes every byte, and ends our side when the client ends its
});
server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`); // "listen EADDRINUSE: address already in use ..."
  process.exit(1);
});
server.listen({ port, host: '127.0.0.1', reusePort: true }, () => console.log(`listening on 127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    console.log('shutting down');
    process.exit(0);
  });
}
