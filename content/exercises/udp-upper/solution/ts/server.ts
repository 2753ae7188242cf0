// udp-upper, reference solution: answers each datagram, uppercased, to its sender.
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2]);
if (process.argv.length !== 3 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  // Only a-z change, byte by byte: toUpperCase() would also change letters such as é or ß (and
  // 'ß' becomes two). An empty datagram is answered like any other.
  const answer = msg.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b));
  socket.send(answer, rinfo.port, rinfo.address, (err) => {
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
