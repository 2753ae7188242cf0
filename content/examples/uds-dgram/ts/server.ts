// Unix datagram echo server: answers every datagram to the socket file it came from.
//
// Node's core has no Unix datagram sockets (node:dgram is udp4/udp6 only), so this uses the npm
// package `unix-dgram`, a small native addon around socket(AF_UNIX, SOCK_DGRAM), bind, sendto and
// recvfrom. Message boundaries are kept, and on one host nothing is lost or reordered. A sender
// that did not bind an address cannot be answered.
//
// Run: node server.ts /tmp/socketlab-uds-dgram.sock    then: node client.ts /tmp/socketlab-uds-dgram.sock
import fs from 'node:fs';
import os from 'node:os';
import unix from 'unix-dgram';

const MAX_PATH = 107; // sun_path is 108 bytes with the terminating NUL

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: server [socket-path]');
  process.exit(2);
}
const path = args[0] ?? '/tmp/socketlab-uds-dgram.sock';
if (Buffer.byteLength(path) > MAX_PATH) {
  console.error(`socket path too long (${Buffer.byteLength(path)} bytes, max ${MAX_PATH})`);
  process.exit(2);
}

/** True when something is bound to `file`. connect() on a datagram socket to a file nobody is
 *  bound to fails with ECONNREFUSED; unix-dgram reports the outcome at once, as an event. */
function isLive(file: string): boolean {
  const probe = unix.createSocket('unix_dgram');
  let refused = false;
  probe.on('error', (err) => (refused = errnoName(err) === 'ECONNREFUSED'));
  probe.connect(file);
  probe.close();
  return !refused;
}

/** "ECONNREFUSED" for unix-dgram's error with errno -111. */
function errnoName(err: Error): string {
  const errno = Math.abs(Number((err as NodeJS.ErrnoException).errno));
  return Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0] ?? String(errno);
}

async function removeStale(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot check ${file}: ${(err as Error).message}`);
  }
  if (!stat.isSocket()) throw new Error(`${file} exists and is not a socket; not removing it`);
  if (isLive(file)) throw new Error(`another server is already listening on ${file}`);
  fs.unlinkSync(file);
  console.log(`removed stale socket file ${file}`);
}

try {
  await removeStale(path);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const socket = unix.createSocket('unix_dgram');
socket.on('message', (message, from) => {
  const text = message.toString('utf8');
  if (!from.path) {
    console.log(`from an unbound socket: ${JSON.stringify(text)} (${message.length} bytes), cannot reply`);
    return;
  }
  console.log(`from ${from.path}: ${JSON.stringify(text)} (${message.length} bytes)`);
  const reply = Buffer.from(`echo: ${text}`);
  socket.send(reply, 0, reply.length, from.path, (err) => {
    if (err) console.error(`send to ${from.path} failed: ${errnoName(err)}`);
  });
});
socket.on('error', (err) => {
  console.error(`socket error: ${err.message}`);
  process.exit(1);
});

function shutdown(): void {
  socket.close();
  fs.rmSync(path, { force: true }); // unix-dgram does not remove the file it bound
  console.log('shutting down');
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// In place before bind(): unix-dgram says 'listening' during bind itself, and a signal may follow at once.
socket.on('listening', () => console.log(`listening on ${path}`));
socket.bind(path);
