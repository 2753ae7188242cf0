// tcp-idle-timeout, reference solution: a TCP echo server that closes a connection from which no
// byte has arrived for 2 s. socket.setTimeout() restarts its timer on every read (and write) and
// only emits "timeout": closing is up to us.
import { createServer } from 'node:net';

const IDLE_MS = 2000;

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const server = createServer((socket) => {
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  setTimeout(() => socket.destroy(), IDLE_MS); // started once, at connect: bytes do not restart it
  socket.pipe(socket); // echoes every byte, and ends our side when the client ends its
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
