// udp-upper starter: a UDP server on 127.0.0.1:PORT that answers each datagram, in capitals, to
// whoever sent it. This one receives and prints, but never answers: `rinfo` says who sent it.
// Run: node server.ts PORT
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg) => {
  console.log(`got ${msg.length} bytes`);
  // TODO: uppercase and socket.send(...) it back to the sender
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on udp 127.0.0.1:${port}`));
