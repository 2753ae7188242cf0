// uds-abstract, reference solution: a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Node, a leading "\0" means abstract.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const name = process.argv[2];
if (process.argv.length !== 3 || !name) {
  console.error('usage: node server.ts NAME');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    socket.write(line === 'PING' ? 'PONG\n' : 'ERR unknown command\n');
  });
});
server.on('error', (err) => {
  console.error(`listen failed: ${err.message}`);
  process.exit(1);
});
server.listen(`\0${name}`, () => console.log(`listening on @${name}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    console.log('shutting down');
    process.exit(0);
  });
}
