// A TCP connection's life, seen from the client: the tcp lesson's line client, which says how the
// connection ended. Type `close` or `reset` to make the server end it (see server.ts).
//
//   the server sent a FIN   'end': "server closed the connection: end of stream (FIN)"
//   the server sent a RST   'error' with code ECONNRESET: "server reset the connection: ECONNRESET (RST)"
//   end of our input        we half-close first, read to the server's FIN and close: this side
//                           sent the first FIN, so it is the one in TIME_WAIT (`ss -tan`)
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
socket.on('error', (err: NodeJS.ErrnoException) => {
  // How the server ended the connection is what this client is for: report it and exit 0.
  // (EPIPE: we wrote after a RST had already arrived.)
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    console.log('server reset the connection: ECONNRESET (RST)');
    process.exit(0);
  }
  console.error(`connection failed: ${err.message}`); // ECONNREFUSED when no server listens
  process.exit(1);
});
await once(socket, 'connect');
// Our own address: the kernel picked the port (an ephemeral port); ss shows it.
console.log(`connected to ${host}:${port} from ${socket.localAddress}:${socket.localPort}`);

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
    console.log('server closed the connection: end of stream (FIN)');
    process.exit(0);
  }
  console.log(reply);
}

socket.end(); // half-close: no more requests
for (let reply = await nextReply(); reply !== null; reply = await nextReply()) console.log(reply);
socket.destroy();
console.log('we closed first: this side is in TIME_WAIT now');
