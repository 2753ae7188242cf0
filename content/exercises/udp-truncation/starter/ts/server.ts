// udp-truncation starter: keep at most 1500 bytes of each datagram and answer the sender
// "<n> bytes" (n = bytes kept), or "<n> bytes, truncated" when the datagram was longer.
// Run: node server.ts PORT
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  // TODO: keep at most 1500 bytes, and say when the datagram was longer.
  socket.send(`${msg.length} bytes`, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on udp 127.0.0.1:${port}`));
