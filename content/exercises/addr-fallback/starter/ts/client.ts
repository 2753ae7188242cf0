// addr-fallback starter: sends "hello\n" to HOST PORT and prints the answer line.
//
// It connects over IPv4 only. Make it reach the server on any address of HOST.
import net from 'node:net';

const [host, port] = process.argv.slice(2);
if (!host || !port) {
  console.error('usage: client HOST PORT');
  process.exit(2);
}
const socket = net.connect({ host, port: Number(port), family: 4 }); // TODO: IPv4 only
socket.on('error', (err) => {
  console.error(`connect failed: ${err.message}`);
  process.exit(1);
});
socket.write('hello\n');
socket.on('data', (chunk) => {
  process.stdout.write(chunk);
  socket.destroy();
});
