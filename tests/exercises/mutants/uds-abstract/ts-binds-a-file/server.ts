// uds-abstract, mutant: a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Node, a leading "\0" means abstract.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const name = process.argv[2];
if (!name) {
  console.error('usage: node server.ts NAME');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    socket.write(line === 'PING' ? 'PONG\n' : 'ERR unknown command\n');
  });
});
server.listen(name, // the mistake: no leading NUL, so this binds a file
   () => console.log(`listening on @${name}`));
