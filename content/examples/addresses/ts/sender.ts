// Multicast sender: sends each line of stdin as one datagram to the group 239.255.0.1.
//
// Shows: a UDP socket sends to a group address like to any other; setMulticastInterface picks
// the interface the datagrams leave by (lo, by its address) instead of the routing table's
// choice, setMulticastTTL(1) keeps them on the local network, and multicast loopback (on by
// default) delivers a copy to receivers on this machine. Both need a bound socket.
//
// Run: printf 'hello\nworld\n' | node sender.ts 9090
import dgram from 'node:dgram';
import readline from 'node:readline';
import { once } from 'node:events';

const GROUP = '239.255.0.1';

const args = process.argv.slice(2);
const port = Number(args[0] ?? '9090');
if (args.length > 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: sender [port]   (port: 1-65535)');
  process.exit(2);
}

const socket = dgram.createSocket('udp4');
socket.on('error', (err) => {
  console.error(`sender failed: ${err.message}`);
  process.exit(1);
});
socket.bind(0);
await once(socket, 'listening');
socket.setMulticastInterface('127.0.0.1');
socket.setMulticastTTL(1);
console.log(`sending to ${GROUP}:${port} (via lo, ttl 1)`);

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of input) {
  // One send is one datagram; the callback reports the kernel's answer (EMSGSIZE if too big).
  await new Promise<void>((resolve) => socket.send(line, port, GROUP, (err) => (err ? socket.emit('error', err) : resolve())));
  console.log(`sent ${JSON.stringify(line)} (${Buffer.byteLength(line)} bytes)`);
}
socket.close();
