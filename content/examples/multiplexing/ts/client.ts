// Line client, Node style: stdin and the socket are two event sources on one loop.
//
// Shows: what poll() does in the C client, done by libuv: stdin is piped into the socket
// (pipe() honours backpressure), replies are printed as they arrive. At end of input pipe()
// calls socket.end(), a half-close (shutdown SHUT_WR); we print until the server ends its side.
// Same protocol as the tcp client.
//
// Run: node client.ts 127.0.0.1 9090    (type lines; Ctrl-D to finish)
import net from 'node:net';

const args = process.argv.slice(2);
if (args.length !== 0 && args.length !== 2) {
  console.error('usage: client [host port]');
  process.exit(2);
}
const host = args[0] ?? '127.0.0.1';
const port = Number(args[1] ?? '9090');
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: client [host port]   (port: 1-65535)');
  process.exit(2);
}

let inputDone = false;
// allowHalfOpen: when the server ends its side, do not end ours automatically.
const socket = net.connect({ host, port, allowHalfOpen: true }, () => {
  console.log(`connected to ${host}:${port}`);
  process.stdin.on('end', () => (inputDone = true));
  process.stdin.pipe(socket);
});
socket.on('error', (err) => {
  console.error(`connection failed: ${err.message}`);
  process.exit(1);
});
socket.on('data', (chunk) => process.stdout.write(chunk));
socket.on('end', () => {
  if (!inputDone) {
    console.error('server closed the connection');
    process.exit(1);
  }
  socket.destroy();
  process.stdin.destroy();
});
