// udp-truncation, mutant. Node always receives the whole datagram (into a 64 KiB
// buffer), so "keeping 1500 bytes" is a slice, and truncation is a comparison.
import { createSocket } from 'node:dgram';

const KEEP = 1500;
const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  const kept = msg.subarray(0, KEEP);
  // The mistake: reports the size of the datagram, not of what was kept.
  const reply = `${msg.length} bytes${msg.length > kept.length ? ', truncated' : ''}`;
  socket.send(reply, rinfo.port, rinfo.address);
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on udp 127.0.0.1:${port}`));
