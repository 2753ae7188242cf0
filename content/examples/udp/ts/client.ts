// UDP client: one datagram per line of stdin, waiting up to 1 s for the reply, 3 tries.
//
// Shows: socket.connect() on a datagram socket (connected UDP): it fixes the peer, drops
// datagrams from anyone else, and surfaces ECONNREFUSED when nothing listens on that port (from
// the ICMP "port unreachable" the kernel receives). UDP may lose or reorder datagrams, so the
// client retries and ignores replies that are not the answer to the current line.
//
// Run: node client.ts 127.0.0.1 9090    (type lines; Ctrl-D to finish)
import dgram from 'node:dgram';
import readline from 'node:readline';
import { once } from 'node:events';

const TRIES = 3;

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

const socket = dgram.createSocket('udp4');
socket.connect(port, host);
await once(socket, 'connect');
console.log(`sending to ${host}:${port}`);

// Whatever arrives next (a datagram or an error) settles the current wait.
let settle: ((outcome: { reply?: string; error?: NodeJS.ErrnoException }) => void) | null = null;
socket.on('message', (message) => settle?.({ reply: message.toString('utf8') }));
socket.on('error', (error: NodeJS.ErrnoException) => settle?.({ error }));

function next(ms: number): Promise<{ reply?: string; error?: NodeJS.ErrnoException; timeout?: true }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      settle = null;
      resolve({ timeout: true });
    }, ms);
    settle = (outcome) => {
      clearTimeout(timer);
      settle = null;
      resolve(outcome);
    };
  });
}

async function ask(line: string): Promise<string> {
  const want = `echo: ${line}`;
  for (let attempt = 0; attempt < TRIES; attempt++) {
    socket.send(line);
    const deadline = Date.now() + 1000;
    for (;;) {
      const outcome = await next(Math.max(0, deadline - Date.now()));
      if (outcome.timeout) break; // no reply within 1 s: send again
      if (outcome.error?.code === 'ECONNREFUSED') throw new Error(`nothing is listening on ${host}:${port}`);
      if (outcome.error) throw outcome.error;
      if (outcome.reply === want) return want;
      // A late answer to an earlier try or line: not ours, keep waiting.
    }
  }
  throw new Error(`no reply after ${TRIES} tries`);
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of input) {
  try {
    console.log(await ask(line));
  } catch (err) {
    console.error((err as Error).message);
  }
}
socket.close();
