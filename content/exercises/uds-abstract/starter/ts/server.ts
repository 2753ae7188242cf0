// uds-abstract starter: a line server on the abstract Unix socket @NAME ("PING" -> "PONG",
// anything else -> "ERR unknown command").
//
// This one listens on a *file* called NAME in the current folder. In Node, a path starting with
// "\0" is abstract. Run: node server.ts NAME
import { createServer } from 'node:net';

const name = process.argv[2];
if (!name) {
  console.error('usage: node server.ts NAME');
  process.exit(2);
}
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  // TODO: answer each line ("PING" -> "PONG\n", anything else -> "ERR unknown command\n")
});
server.listen(name, () => console.log(`listening on ${name}`)); // TODO: abstract
