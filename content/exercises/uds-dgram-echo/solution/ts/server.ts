// uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to each
// sender's address, with the `unix-dgram` package (Node's core has no Unix datagram sockets).
// A sender that never bound an address cannot be answered: skip it.
import { rmSync } from 'node:fs';
import { createSocket } from 'unix-dgram';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
rmSync(path, { force: true }); // a file left by an earlier run
const socket = createSocket('unix_dgram', (message, rinfo) => {
  if (!rinfo.path) return; // unbound sender: nowhere to answer
  const reply = Buffer.concat([Buffer.from('echo: '), message]);
  socket.send(reply, 0, reply.length, rinfo.path, (err) => {
    if (err) console.error(`cannot answer ${rinfo.path}: ${err.message}`);
  });
});
socket.on('error', (err) => console.error(err.message));
socket.on('listening', () => console.log(`listening on ${path}`));
socket.bind(path);
