// udp-upper, mutant (the reference until issue 15): answers each datagram, uppercased, to its sender.
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  // An empty datagram is answered like any other.
  socket.send(Buffer.from(msg.toString('latin1').toUpperCase(), 'latin1'), rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on udp 127.0.0.1:${port}`));
