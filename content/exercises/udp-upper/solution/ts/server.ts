// udp-upper, reference solution: answers each datagram, uppercased, to its sender.
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  // Only a-z change, byte by byte: toUpperCase() would also change letters such as é or ß (and
  // 'ß' becomes two). An empty datagram is answered like any other.
  const answer = msg.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b));
  socket.send(answer, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on udp 127.0.0.1:${port}`));
