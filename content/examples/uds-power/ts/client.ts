// Line echo client for an abstract Unix socket name: sends each line of stdin, prints the reply.
//
// Shows: net.connect('\0name') reaches an abstract name (Linux); the rest is the uds-stream
// client: newline framing, half-close with socket.end().
//
// Run: node client.ts @socketlab-uds-power    (type lines; Ctrl-D to finish)
import net from 'node:net';
import readline from 'node:readline';
import { once } from 'node:events';

const args = process.argv.slice(2);
const name = args[0] ?? '@socketlab-uds-power';
if (args.length > 1 || !name.startsWith('@') || name.length < 2) {
  console.error('usage: client [@name] (an abstract name, e.g. @socketlab-uds-power)');
  process.exit(2);
}
const path = `\0${name.slice(1)}`; // the NUL byte that makes the name abstract

// allowHalfOpen: when the server ends its side, do not end ours automatically.
const socket = net.connect({ path, allowHalfOpen: true });
socket.on('error', (err) => {
  console.error(`connection failed: ${err.message}`);
  process.exit(1);
});
await once(socket, 'connect');
console.log(`connected to ${name}`);

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
