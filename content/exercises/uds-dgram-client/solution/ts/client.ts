// uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
// server at SOCKET, from a path of its own (else the server could not answer), prints each answer,
// and removes its own socket file at the end. Uses the `unix-dgram` package.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createSocket } from 'unix-dgram';

const server = process.argv[2];
if (!server) {
  console.error('usage: node client.ts SOCKET');
  process.exit(2);
}
const self = `/tmp/uds-client-${process.pid}.sock`;
rmSync(self, { force: true });

let answered: ((reply: Buffer) => void) | null = null;
const socket = createSocket('unix_dgram', (message) => answered?.(message));
socket.on('error', (err) => console.error(err.message));
socket.bind(self);

function ask(line: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2000);
    answered = (reply) => {
      clearTimeout(timer);
      resolve(reply);
    };
    const data = Buffer.from(line);
    socket.send(data, 0, data.length, server, (err) => {
      if (err) {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

let status = 0;
try {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    console.log((await ask(line)).toString());
  }
} catch (err) {
  console.error((err as Error).message);
  status = 1;
}
socket.close();
rmSync(self, { force: true }); // a bound socket file stays after close
process.exit(status);
