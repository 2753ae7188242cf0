// UDP echo server: answers every datagram to the address it came from.
//
// Shows: dgram.createSocket('udp4').bind() (socket + bind; no listen, no accept: there are no
// connections), the 'message' event with the sender's address (recvfrom), and send() to that
// address (sendto). Each datagram is one whole message; an empty one is legal.
//
// Run: node server.ts 9090        then, in another terminal: node client.ts 127.0.0.1 9090
import dgram from 'node:dgram';

const args = process.argv.slice(2);
const port = Number(args[0] ?? '9090');
if (args.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: server [port]   (port: 0-65535)');
  process.exit(2);
}

const socket = dgram.createSocket('udp4');

socket.on('message', (message, from) => {
  const text = message.toString('utf8');
  console.log(`from ${from.address}:${from.port}: ${JSON.stringify(text)} (${message.length} bytes)`);
  socket.send(`echo: ${text}`, from.port, from.address, (err) => {
    if (err) console.error(`send to ${from.address}:${from.port} failed: ${err.message}`);
  });
});

socket.on('error', (err) => {
  console.error(`socket error: ${err.message}`);
  process.exit(1);
});

socket.bind(port, '127.0.0.1', () => {
  const address = socket.address();
  console.log(`listening on ${address.address}:${address.port}`);
});

function shutdown(): void {
  socket.close(() => {
    console.log('shutting down');
    process.exit(0);
  });
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
