// uds-abstract, mutant: a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Node, a leading "\0" means abstract.
import { createServer } from 'node:net';

const name = process.argv[2];
if (!name) {
  console.error('usage: node server.ts NAME');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  // The mistake: one 'data' event taken for one line.
  socket.on('data', (chunk: Buffer) => {
    socket.write(chunk.toString().trim() === 'PING' ? 'PONG\n' : 'ERR unknown command\n');
  });
});
server.listen(`\0${name}`, () => console.log(`listening on @${name}`));
