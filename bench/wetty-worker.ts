/**
 * The browser side of the wetty baseline, in its own thread: connects to a wetty server with
 * socket.io, floods its terminal and commits (ACKs) every 256 KiB as wetty's own client does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { io } from 'socket.io-client';

const { port, bytes } = workerData as { port: number; bytes: number };
const socket = io(`http://127.0.0.1:${port}`, { path: '/wetty/socket.io', transports: ['websocket'] });
let received = 0;
let unacked = 0;
let started = 0;
let tail = '';
socket.on('login', () => {
  setTimeout(() => {
    started = performance.now();
    received = 0;
    socket.emit('input', `head -c ${bytes} /dev/zero | tr '\\0' x; echo; echo DO""NE\r`);
  }, 300);
});
socket.on('data', (data: string) => {
  received += data.length;
  unacked += data.length;
  if (unacked >= 262144) {
    socket.emit('commit', unacked);
    unacked = 0;
  }
  tail = (tail + data).slice(-64);
  if (started && tail.includes('DONE\r\n')) {
    parentPort!.postMessage(received / ((performance.now() - started) / 1000));
    socket.close();
  }
});
