// Unix datagram client: binds its own socket file first, so the server has an address to answer.
//
// Shows: a private directory from fs.mkdtempSync (never a guessable name like tmpnam's), binding
// our end, sending each line as one datagram to the server's path, a 1 s wait for the reply,
// matching each reply to its request (after a timeout the late reply arrives while we wait for the
// next one), and removing our socket file and directory at the end, Ctrl-C included. Uses the npm package
// `unix-dgram` because Node's core has no Unix datagram sockets.
//
// Run: node client.ts /tmp/socketlab-uds-dgram.sock    (type lines; Ctrl-D to finish)
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import readline from 'node:readline';
import unix from 'unix-dgram';

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: client [server-socket-path]');
  process.exit(2);
}
const server = args[0] ?? '/tmp/socketlab-uds-dgram.sock';

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'socketlab-client-'));
const self = nodePath.join(dir, 'client.sock');
const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });

const socket = unix.createSocket('unix_dgram');
let settle: ((reply: string | null) => void) | null = null;
socket.on('message', (message) => settle?.(message.toString('utf8')));
socket.on('error', (err) => {
  console.error(`socket error: ${err.message}`);
  if (err.syscall === 'bind') {
    cleanUp();
    process.exit(1);
  }
  settle?.(null);
});
socket.bind(self); // reports failure through 'error' at once
console.log(`bound to ${self}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    socket.close();
    cleanUp();
    process.exit(0);
  });
}

/**
 * Waits up to `ms` for the datagram `expected` (null on a timeout or an error). Anything else is a
 * late reply to an earlier line that timed out: skip it and keep waiting.
 */
function reply(expected: string, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      settle = null;
      console.error('no reply within 1 s');
      resolve(null);
    }, ms);
    settle = (text) => {
      if (text !== null && text !== expected) return;
      clearTimeout(timer);
      settle = null;
      resolve(text);
    };
  });
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of input) {
  const message = Buffer.from(line);
  let failed = '';
  // unix-dgram reports a failed send through the callback, at once, as a negative errno number:
  // ENOENT (no such server file) or ECONNREFUSED (a file with nobody bound to it).
  socket.send(message, 0, message.length, server, (err) => {
    if (err) failed = Object.entries(os.constants.errno).find(([, n]) => n === -Number(err.errno))?.[0] ?? String(err.errno);
  });
  if (failed) {
    console.error(`send to ${server} failed: ${failed}`);
    continue;
  }
  const text = await reply(`echo: ${line}`, 1000);
  if (text !== null) console.log(text);
}
socket.close();
cleanUp();
