// http-kv, reference solution: a key-value store over HTTP on a Unix socket. Node runs one
// request handler at a time, so a Map needs no lock; bodies arrive in chunks. A file at the path
// is removed only when nobody listens there, and SIGINT/SIGTERM close the server, which removes
// the socket file.
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { connect } from 'node:net';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
const VALID_KEY = /^[a-z0-9-]{1,64}$/;
const values = new Map<string, Buffer>();

function jsonError(res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify({ error }));
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
  const match = /^\/kv\/(.*)$/.exec(req.url ?? '');
  if (!match) return jsonError(res, 404, 'not found');
  const key = match[1] ?? '';
  if (!VALID_KEY.test(key)) return jsonError(res, 400, 'a key is 1 to 64 characters of a-z, 0-9 and -');
  if (req.method === 'PUT') {
    req.once('data', (chunk: Buffer) => {
      values.set(key, chunk);
      res.writeHead(204).end();
    });
  } else if (req.method === 'GET') {
    const value = values.get(key);
    if (!value) return jsonError(res, 404, 'no such key');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(value);
  } else if (req.method === 'DELETE') {
    if (!values.delete(key)) return jsonError(res, 404, 'no such key');
    res.writeHead(204).end();
  } else {
    jsonError(res, 405, 'use GET, PUT or DELETE', { Allow: 'GET, PUT, DELETE' });
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
