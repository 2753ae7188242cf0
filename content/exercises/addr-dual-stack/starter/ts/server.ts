// addr-dual-stack starter: a "who am I" server on 127.0.0.1:PORT.
//
// It answers every chunk it reads with "you are <ip> port <port> over <family>", but only IPv4
// clients reach it, and a chunk is not a line. Make it listen for IPv4 and IPv6 clients on one
// socket, answer each line, and name each client by the address and family it really has.
import net from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}
const server = net.createServer((socket) => {
  socket.on('error', (err) => console.error(`client: ${err.message}`));
  socket.on('data', () => {
    socket.write(`you are ${socket.remoteAddress} port ${socket.remotePort} over ${socket.remoteFamily}\n`);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`)); // TODO: IPv4 only
