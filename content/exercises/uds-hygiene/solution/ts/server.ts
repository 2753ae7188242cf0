// uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
// A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
// the socket gets mode 0660, and SIGINT/SIGTERM close the server, which removes the file.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}

/** Resolves true when a server answers at `file`, false when the connect is refused (stale). */
function isLive(file: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(file);
    probe.on('connect', () => (probe.destroy(), resolve(true)));
    probe.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve(false) : reject(new Error(`cannot check ${file}: ${err.message}`))));
  });
}

async function removeStale(file: string): Promise<void> {
  try {
    if (!lstatSync(file).isSocket()) throw new Error(`${file} exists and is not a socket; not removing it`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (await isLive(file)) throw new Error(`another server is already listening on ${file}`);
  unlinkSync(file);
  console.log(`removed stale socket file ${file}`);
}

try {
  await removeStale(path);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen(path, () => {
  chmodSync(path, 0o660);
  console.log(`listening on ${path}`);
});
const stop = () => {
  console.log('shutting down');
  server.close(); // removes the socket file
  // Clients still connected would keep the process alive: the file is gone, so leave now.
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
