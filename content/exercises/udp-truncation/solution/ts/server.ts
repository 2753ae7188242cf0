// udp-truncation, reference solution. Node always receives the whole datagram (into a 64 KiB
// buffer), so "keeping 1500 bytes" is a slice, and truncation is a comparison.
import { createSocket } from 'node:dgram';

const KEEP = 1500;
const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  const kept = msg.subarray(0, KEEP);
  const reply = `${kept.length} bytes${msg.length > KEEP ? ', truncated' : ''}`;
  socket.send(reply, rinfo.port, rinfo.address, (err) => {
    if (err) console.error(`send to ${rinfo.address}:${rinfo.port} failed: ${err.message}`);
  });
});
socket.on('error', (err) => {
  console.error(`socket error: ${err.message}`);
  process.exit(1);
});
socket.bind(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    socket.close();
    console.log('shutting down');
    process.exit(0);
  });
}
