// uds-dgram-echo starter: a Unix datagram server on SOCKET that answers each datagram with
// "echo: " and its text, sent back to the sender's address (the `unix-dgram` package).
// TODO: remove a file left at the path before bind(); answer each sender (rinfo.path) with
// socket.send(...); skip senders with no address.
// Run: node server.ts SOCKET
import { createSocket } from 'unix-dgram';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
const socket = createSocket('unix_dgram', (message) => {
  console.log(`got ${message.length} bytes`);
});
socket.on('error', (err) => console.error(err.message));
socket.on('listening', () => console.log(`listening on ${path}`));
socket.bind(path);
