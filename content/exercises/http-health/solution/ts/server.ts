// http-health, reference solution: HTTP over a Unix socket. node:http listens on a path as
// happily as on a port.
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
rmSync(path, { force: true }); // a file left by an earlier run
const server = createServer((req, res) => {
  if (req.url === '/health') {
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET', 'Content-Type': 'application/json' }).end('{"error":"method not allowed"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
  } else if (req.url === '/echo' && req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(Buffer.concat(chunks)));
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
  }
});
server.listen(path, () => console.log(`listening on ${path}`));
