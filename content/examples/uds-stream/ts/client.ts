// Unix stream client: sends each line of stdin to the server's socket file, prints each reply.
//
// Shows: net.connect(path) (socket(AF_UNIX) + connect), the same newline framing and half-close
// (socket.end() = shutdown(SHUT_WR)) as over TCP. With no server, connecting fails with ENOENT
// (no file) or ECONNREFUSED (a stale file); it needs write permission on the socket file.
//
// Run: node client.ts /tmp/socketlab-uds-stream.sock    (type lines; Ctrl-D to finish)
import net from 'node:net';
import readline from 'node:readline';
import { once } from 'node:events';

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: client [socket-path]');
  process.exit(2);
}
const path = args[0] ?? '/tmp/socketlab-uds-stream.sock';

// allowHalfOpen: when the server ends its side, do not end ours automatically.
const socket = net.connect({ path, allowHalfOpen: true });
socket.on('error', (err) => {
  console.error(`connection failed: ${err.message}`);
  process.exit(1);
});
await once(socket, 'connect');
console.log(`connected to ${path}`);

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
