// Unix stream echo server: the TCP echo server on a socket file instead of a port.
//
// Shows: server.listen(path) (socket(AF_UNIX, SOCK_STREAM) + bind + listen), Node's 107-byte
// limit on the path, telling a stale socket file (left by a crash: Node removes the file on
// server.close(), but a crashed process cannot) from a live server before removing it.
//
// Run: node server.ts /tmp/socketlab-uds-stream.sock    then: node client.ts /tmp/socketlab-uds-stream.sock
import fs from 'node:fs';
import net from 'node:net';

const MAX_LINE = 64 * 1024;
const MAX_PATH = 107; // sun_path is 108 bytes with the terminating NUL

const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: server [socket-path]');
  process.exit(2);
}
const path = args[0] ?? '/tmp/socketlab-uds-stream.sock';
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

try {
  await removeStale(path);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const clients = new Set<net.Socket>();
let count = 0;

const server = net.createServer((socket) => {
  const id = ++count; // Unix clients have no address of their own: number them
  clients.add(socket);
  console.log(`client #${id} connected`);
  let pending = '';
  socket.setEncoding('utf8');
  const answer = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    console.log(`client #${id} says: ${line}`);
    socket.write(`echo: ${line}\n`);
  };
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      answer(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    if (pending.length > MAX_LINE) {
      console.error(`client #${id}: line longer than ${MAX_LINE} bytes, closing`);
      socket.destroy();
    }
  });
  socket.on('end', () => {
    if (pending.length > 0) answer(pending); // a last line without its newline is still a line
    socket.end();
  });
  socket.on('error', (err) => console.error(`client #${id}: ${err.message}`));
  socket.on('close', () => {
    clients.delete(socket);
    console.log(`client #${id} disconnected`);
  });
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
  for (const socket of clients) socket.destroy();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
