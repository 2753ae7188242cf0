// uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
// A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
// the socket gets mode 0660, and SIGTERM removes it.
import { chmodSync, unlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}

function start(socketPath: string): void {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  server.on('error', (err) => {
    console.error(err.message);
    process.exit(1);
  });
  server.listen(socketPath, () => {
    chmodSync(socketPath, 0o660);
    console.log(`listening on ${socketPath}`);
  });
  const stop = () => {
    try {
      unlinkSync(socketPath);
    } catch {}
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const probe = connect(path);
probe.on('connect', () => {
  console.error(`${path} is in use by a running server; not starting`);
  process.exit(1);
});
probe.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'ECONNREFUSED') unlinkSync(path); // stale: its server is gone
  start(path);
});
