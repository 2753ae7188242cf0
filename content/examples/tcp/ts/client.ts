// TCP line client: sends each line of stdin, prints each reply line.
//
// Shows: net.connect (socket + connect), newline framing on a byte stream, waiting for each reply
// before the next line, and half-close: at the end of input socket.end() sends FIN
// (shutdown(SHUT_WR)); we keep reading until the server ends its side too.
//
// Run: node client.ts 127.0.0.1 9090    (type lines; Ctrl-D to finish)
import net from 'node:net';
import readline from 'node:readline';
import { once } from 'node:events';

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

// allowHalfOpen: when the server ends its side, do not end ours automatically.
const socket = net.connect({ host, port, allowHalfOpen: true });
socket.on('error', (err) => {
  console.error(`connection failed: ${err.message}`); // ECONNREFUSED when no server listens
  process.exit(1);
});
await once(socket, 'connect');
console.log(`connected to ${host}:${port}`);

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
