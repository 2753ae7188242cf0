// http-health starter: an HTTP server on the Unix socket SOCKET.
// GET /health -> 200, Content-Type: application/json, {"status":"ok"}; POST /echo -> 200 and the
// request body; other paths -> 404; POST /health -> 405.
// This one answers "ok" in plain text to everything. TODO: route by method and path.
// Run: node server.ts SOCKET
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';

const path = process.argv[2];
if (!path) {
  console.error('usage: node server.ts SOCKET');
  process.exit(2);
}
rmSync(path, { force: true });
const server = createServer((_req, res) => {
  res.end('ok\n');
});
server.listen(path, () => console.log(`listening on ${path}`));
