// SO_REUSEPORT: two listeners on one port, and how the kernel spreads connections.
//
// Shows: a second listen() on a port in use fails with EADDRINUSE; listen({ reusePort: true })
// (Node 22.12 and 23.1 on, on Linux and the BSDs) sets SO_REUSEPORT, and the kernel then hands
// each new connection to one of the listeners, picked by a hash of the connection's addresses
// and ports. The program opens N connections to its own port (default 1000), one after
// another, and prints how many each listener accepted.
//
// Run: node reuseport.ts 1000
import net from 'node:net';
import { once } from 'node:events';

const args = process.argv.slice(2);
const total = Number(args[0] ?? '1000');
if (args.length > 1 || !Number.isInteger(total) || total < 1 || total > 100000) {
  console.error('usage: reuseport [connections]   (1-100000, default 1000)');
  process.exit(2);
}

function fail(what: string, err: Error): never {
  console.error(`${what} failed: ${err.message}`);
  process.exit(1);
}

/** A listening server on 127.0.0.1:port; rejects with the listen error (EADDRINUSE). */
async function listen(port: number, reusePort: boolean, onConnection: (socket: net.Socket) => void = (s) => s.destroy()): Promise<net.Server> {
  const server = net.createServer(onConnection);
  server.listen({ port, host: '127.0.0.1', reusePort });
  await once(server, 'listening'); // once() rejects if 'error' comes first
  return server;
}

// Without the option a second server cannot bind the same address and port.
const plain = await listen(0, false).catch((err) => fail('listen', err));
const taken = (plain.address() as net.AddressInfo).port;
try {
  (await listen(taken, false)).close();
  fail('a second listen without reusePort', new Error('it succeeded; it should fail with EADDRINUSE'));
} catch (err) {
  console.log(`without SO_REUSEPORT: second listen on 127.0.0.1:${taken} failed: ${(err as Error).message}`);
}
plain.close();

const counts = [0, 0];
let wake: (() => void) | null = null;
const counter = (i: number) => (socket: net.Socket) => {
  counts[i]!++;
  socket.destroy();
  wake?.();
};
const first = await listen(0, true, counter(0)).catch((err) => fail('listen', err));
const port = (first.address() as net.AddressInfo).port;
const second = await listen(port, true, counter(1)).catch((err) => fail('listen (second SO_REUSEPORT socket)', err));
console.log(`listening on 127.0.0.1:${port} with two sockets (SO_REUSEPORT)`);

for (let i = 1; i <= total; i++) {
  const accepted = new Promise<void>((resolve) => (wake = resolve));
  const client = net.connect({ port, host: '127.0.0.1' });
  client.on('error', (err) => fail('connect', err));
  const timer = setTimeout(() => fail('accept', new Error('no listener accepted the connection within 1 s')), 1000);
  await accepted;
  clearTimeout(timer);
  client.destroy();
}
counts.forEach((n, i) => console.log(`listener ${i + 1} accepted ${n} of ${total}`));
first.close();
second.close();
