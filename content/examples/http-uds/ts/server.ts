// HTTP over a Unix socket: an ordinary node:http server, listening on a socket file.
//
// Shows: http.createServer().listen(path): the same HTTP server, with a Unix listener instead of
// a port; routing GET /health and POST /echo; logging each request with its status; closing on
// Ctrl-C (which removes the socket file). Try: curl --unix-socket /tmp/socketlab-http-uds.sock http://localhost/health
//
// Run: node server.ts /tmp/socketlab-http-uds.sock    then: node client.ts /tmp/socketlab-http-uds.sock
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const MAX_PATH = 107; // sun_path is 108 bytes with the terminating NUL
const MAX_BODY = 1024 * 1024;

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: server [socket-path]');
  process.exit(2);
}
const path = args[0] ?? '/tmp/socketlab-http-uds.sock';
if (Buffer.byteLength(path) > MAX_PATH) {
  console.error(`socket path too long (${Buffer.byteLength(path)} bytes, max ${MAX_PATH})`);
  process.exit(2);
}

/** Removes a socket file nobody listens on; refuses to touch a live server's or a non-socket. */
async function removeStale(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot check ${file}: ${(err as Error).message}`);
  }
  if (!stat.isSocket()) throw new Error(`${file} exists and is not a socket; not removing it`);
  const live = await new Promise<boolean>((resolve, reject) => {
    const probe = net.connect(file);
    probe.on('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve(false) : reject(err)));
  });
  if (live) throw new Error(`another server is already listening on ${file}`);
  fs.unlinkSync(file);
  console.log(`removed stale socket file ${file}`);
}

function reply(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

try {
  await removeStale(path);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost'); // the host is not used for routing
  try {
    if (req.method === 'GET' && url.pathname === '/health') {
      reply(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
    } else if (req.method === 'POST' && url.pathname === '/echo') {
      const body = await readBody(req);
      if (body === null) reply(res, 413, 'text/plain', 'request body too large\n');
      else reply(res, 200, 'text/plain', body);
    } else {
      reply(res, 404, 'text/plain', 'not found\n');
    }
    console.log(`${req.method} ${url.pathname} -> ${res.statusCode}`);
  } catch (err) {
    // E.g. the client hung up halfway through its body ('aborted'): that request is over, the server is not.
    console.error(`${req.method} ${url.pathname}: ${(err as Error).message}`);
    res.destroy();
  }
});

server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen(path, () => console.log(`listening on ${path}`));

function shutdown(): void {
  server.close(() => {
    console.log('shutting down'); // close() has removed the socket file
    process.exit(0);
  });
  server.closeAllConnections(); // idle keep-alive connections would hold close() up
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
