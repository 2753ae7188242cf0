// uds-dgram-client starter: send each line of standard input as a datagram to the server at
// SOCKET, print each answer on a line, and at the end of input remove your socket file and exit 0.
// This one never binds an address of its own, so the server cannot answer it.
// TODO: socket.bind() <dir>/client.sock in a fresh directory from fs.mkdtempSync (chmod it 0710)
// before sending, wait at most 2 s for each answer and print it, and remove the directory at the
// end. Run: node client.ts SOCKET
import { createInterface } from 'node:readline';
import { createSocket } from 'unix-dgram';

const server = process.argv[2];
if (!server) {
  console.error('usage: node client.ts SOCKET');
  process.exit(2);
}
const socket = createSocket('unix_dgram', (message) => console.log(message.toString()));
socket.on('error', (err) => console.error(err.message));

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const data = Buffer.from(line);
  socket.send(data, 0, data.length, server);
}
socket.close();
