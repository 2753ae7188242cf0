// uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to each
// sender's address, with the `unix-dgram` package (Node's core has no Unix datagram sockets).
// A sender that never bound an address cannot be answered: skip it. A file at the path is
// removed only when nobody is bound there, and SIGINT/SIGTERM remove ours.
import { lstatSync, rmSync, unlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { createSocket } from 'unix-dgram';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}

/** True when something is bound to `file`: unix-dgram reports a refused connect() at once. */
function isLive(file: string): boolean {
  const probe = createSocket('unix_dgram');
  let refused = false;
  probe.on('error', (err) => (refused = Math.abs(Number(err.errno)) === constants.errno.ECONNREFUSED));
  probe.connect(file);
  probe.close();
  return !refused;
}

function removeStale(file: string): void {
  try {
    if (!lstatSync(file).isSocket()) throw new Error(`${file} exists and is not a socket; not removing it`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (isLive(file)) throw new Error(`another server is already listening on ${file}`);
  unlinkSync(file);
  console.log(`removed stale socket file ${file}`);
}

try {
  removeStale(path);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const socket = createSocket('unix_dgram', (message, rinfo) => {
  if (!rinfo.path) return; // unbound sender: nowhere to answer
  const reply = Buffer.concat([Buffer.from('echo: '), message]);
  socket.send(reply, 0, reply.length, rinfo.path, (err) => {
    if (err) console.error(`cannot answer ${rinfo.path}: ${err.message}`);
  });
});
socket.on('error', (err) => console.error(err.message));
socket.on('listening', () => console.log(`listening on ${path}`));

function shutdown(): void {
  socket.close();
  rmSync(path, { force: true }); // unix-dgram does not remove the file it bound
  console.log('shutting down');
  process.exit(0);
}
// Before bind: unix-dgram says "listening" at once, and a signal may follow right away.
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
socket.bind(path);
