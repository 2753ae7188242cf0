// uds-hygiene starter: a Unix stream echo server on SOCKET that cleans up after itself.
// TODO, in order:
//  1. a socket file left by a crashed server (connecting fails with ECONNREFUSED) is removed
//     before listen(); if connecting succeeds, another server is alive: print an error, exit 1;
//  2. the socket file gets mode 0660 (chmodSync, once listening);
//  3. SIGTERM removes the path and exits 0 (a crash or process.exit does not unlink it).
//
// Run: node server.ts SOCKET
import { createServer } from 'node:net';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
server.listen(path, () => console.log(`listening on ${path}`));
