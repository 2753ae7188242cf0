// http-kv starter: a key-value store over HTTP on the Unix socket SOCKET.
// PUT /kv/<key> stores the body (204); GET answers it (200) or 404 {"error": ...}; DELETE answers
// 204, or 404; a key outside [a-z0-9-]{1,64} answers 400 {"error": ...} (JSON errors with
// Content-Type: application/json).
// This one stores only the first chunk of a body and checks nothing. TODO: the rest.
// Run: node server.ts SOCKET
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
const values = new Map<string, Buffer>();
rmSync(path, { force: true });
const server = createServer((req, res) => {
  const key = (req.url ?? '').slice('/kv/'.length);
  if (req.method === 'PUT') {
    req.once('data', (chunk: Buffer) => values.set(key, chunk));
    req.on('end', () => res.writeHead(200).end());
    req.resume();
  } else {
    res.end(values.get(key) ?? '');
  }
});
server.listen(path, () => console.log(`listening on ${path}`));
