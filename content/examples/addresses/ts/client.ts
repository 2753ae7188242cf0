// Dual-stack echo client: net.connect looks the name up and tries its addresses for you.
//
// Shows: net.connect({ host: 'localhost' }) resolves with dns.lookup (getaddrinfo in libuv's
// thread pool, so /etc/hosts counts; dns.resolve* would ask a DNS server and skip it), and
// with autoSelectFamily (on by default since Node 20) tries every address, IPv6 and IPv4
// interleaved, 250 ms apart ("Happy Eyeballs"). Then it prints the server's greeting and
// echoes stdin like the tcp lesson's client.
//
// Run: node client.ts localhost 9090    (type lines; Ctrl-D to finish)
import net from 'node:net';
import readline from 'node:readline';
import { once } from 'node:events';

const args = process.argv.slice(2);
if (args.length !== 0 && args.length !== 2) {
  console.error('usage: client [host port]');
  process.exit(2);
}
const host = args[0] ?? 'localhost';
const port = Number(args[1] ?? '9090');
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: client [host port]   (port: 1-65535)');
  process.exit(2);
}

// allowHalfOpen: when the server ends its side, do not end ours automatically.
const socket = net.connect({ host, port, allowHalfOpen: true });
socket.on('error', (err) => {
  console.error(`connection failed: ${err.message}`); // ECONNREFUSED when no server listens
  process.exit(1);
});
await once(socket, 'connect');
const remote = socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]` : socket.remoteAddress;
console.log(`connected to ${remote}:${socket.remotePort}`); // the address that answered

// Reply lines, in arrival order; a waiting reader is woken by each new one.
const replies: string[] = [];
let wake: (() => void) | null = null;
let ended = false;
let pending = '';
socket.setEncoding('utf8');
socket.on('data', (chunk: string) => {
  pending += chunk;
  let newline: number;
  while ((newline = pending.indexOf('\n')) >= 0) {
    replies.push(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
  }
  wake?.();
});
socket.on('end', () => {
  ended = true;
  wake?.();
});

async function nextReply(): Promise<string | null> {
  while (replies.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
  return replies.shift() ?? null;
}

const greeting = await nextReply(); // the server says first what it sees
if (greeting === null) {
  console.error('server closed the connection');
  process.exit(1);
}
console.log(greeting);

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of input) {
  socket.write(`${line}\n`);
  const reply = await nextReply();
  if (reply === null) {
    console.error('server closed the connection');
    process.exit(1);
  }
  console.log(reply);
}

socket.end(); // half-close: no more requests
for (let reply = await nextReply(); reply !== null; reply = await nextReply()) console.log(reply);
socket.destroy();
