// mux-echo starter: the line echo server ("echo: <line>\n" for every line) on 127.0.0.1:PORT.
//
// Node already multiplexes: every client is served by callbacks on one event loop. But this
// server reads everything every client sends and queues every reply, whether or not the client
// reads them: a client that sends a lot and reads nothing grows the server's memory without
// bound. write() returning false says the queue is full: stop reading that client until 'drain'.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port)) {
  console.error('usage: node server.ts PORT');
  process.exit(2);
}

const server = createServer((socket) => {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      socket.write(`echo: ${pending.slice(0, newline)}\n`); // TODO: write() returns false when the queue is full
      pending = pending.slice(newline + 1);
    }
  });
  socket.on('end', () => {
    if (pending.length > 0) socket.write(`echo: ${pending}\n`);
    socket.end();
  });
  socket.on('error', () => {});
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => console.log(`listening on 127.0.0.1:${port}`));
