// addr-fallback, reference solution: a client that tries every address of a name.
//
// net.connect({ host, port }) looks HOST up with dns.lookup (getaddrinfo: /etc/hosts counts) and,
// with autoSelectFamily (the default since Node 20), tries every address, IPv6 and IPv4
// interleaved, until one connects; it fails only when all have failed. Then it sends "hello\n",
// prints the server's answer line and exits 0.
//
// Run: node client.ts localhost 9090
import net from 'node:net';
import { once } from 'node:events';

const [host, portText] = process.argv.slice(2);
const port = Number(portText);
if (process.argv.length !== 4 || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: client HOST PORT');
  process.exit(2);
}

const socket = net.connect({ host, port });
socket.on('error', (err) => {
  // With several addresses, an AggregateError lists each one's failure.
  const each = err instanceof AggregateError ? err.errors.map((e: Error) => e.message).join('; ') : err.message;
  console.error(`could not connect to ${host} port ${port}: ${each}`);
  process.exit(1);
});
await once(socket, 'connect');
socket.write('hello\n');
let pending = '';
socket.setEncoding('utf8');
socket.on('data', (chunk: string) => {
  pending += chunk; // a reply may come in pieces: wait for its '\n'
  const at = pending.indexOf('\n');
  if (at < 0) return;
  console.log(pending.slice(0, at).replace(/\r$/, ''));
  socket.destroy();
});
socket.on('end', () => {
  if (!pending.includes('\n')) {
    console.error('the server closed the connection before a whole line');
    process.exit(1);
  }
});
