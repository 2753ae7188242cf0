// Multicast receiver: joins the group 239.255.0.1 on the loopback interface and prints every
// datagram sent to the group.
//
// Shows: dgram.createSocket({ reuseAddr: true }) (SO_REUSEADDR: several receivers can share the
// group and port, each getting a copy), bind to the group address and port, and
// addMembership(group, '127.0.0.1'): Node names the interface by its address, and without one
// the routing table chooses. close() on SIGINT/SIGTERM leaves the group.
//
// Run: node receiver.ts 9090        then, in another terminal: node sender.ts 9090
import dgram from 'node:dgram';

const GROUP = '239.255.0.1'; // organisation-local scope (RFC 2365): never routed off site

const args = process.argv.slice(2);
const port = Number(args[0] ?? '9090');
if (args.length > 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('usage: receiver [port]   (port: 0-65535)');
  process.exit(2);
}

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('error', (err) => {
  console.error(`receiver failed: ${err.message}`);
  process.exit(1);
});
socket.on('message', (msg, from) => {
  console.log(`from ${from.address}:${from.port}: ${JSON.stringify(msg.toString())} (${msg.length} bytes)`);
});
socket.bind(port, GROUP, () => {
  socket.addMembership(GROUP, '127.0.0.1'); // IP_ADD_MEMBERSHIP; throws on failure, which ends the program
  console.log(`listening on ${GROUP}:${socket.address().port} (joined on lo)`);
});

function shutdown(): void {
  socket.close(() => {
    console.log('shutting down');
    process.exit(0);
  });
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
