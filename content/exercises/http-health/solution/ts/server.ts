// http-health, reference solution: HTTP over a Unix socket. node:http listens on a path as
// happily as on a port. A file at the path is removed only when nobody listens there, and
// SIGINT/SIGTERM close the server, which removes the socket file.
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';

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

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') {
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'application/json' }).end('{"error":"method not allowed"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
  } else if (url.pathname === '/echo' && req.method === 'POST') {
    // The body arrives in chunks, as many as the client's writes and the kernel make: keep them all.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(Buffer.concat(chunks)));
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
  }
});
server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen(path, () => console.log(`listening on ${path}`));
const stop = () => {
  console.log('shutting down');
  server.close(); // removes the socket file
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
