// One slow handler stalls every client: Node runs all callbacks on one thread.
//
// The main thread runs an echo server whose handler burns the CPU for 300 ms when a line says
// "slow" (standing in for a big JSON.parse, a sync crypto call, a regex gone wrong). The two
// clients run in a worker thread, with their own event loop: one sends "slow", the other sends
// "ping" 20 ms later and measures its echo. Then the same with the slow work moved to a worker
// thread, which leaves the server's loop free.
//
// Run: node stall.ts
import net from 'node:net';
import { once } from 'node:events';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const BUSY_MS = 300;

/** Runs in the worker: the two clients. Reports how long the quick client's echo took. */
async function clients(port: number): Promise<void> {
  const slow = net.connect(port, '127.0.0.1');
  const quick = net.connect(port, '127.0.0.1');
  await Promise.all([once(slow, 'connect'), once(quick, 'connect')]);
  slow.write('slow\n');
  await new Promise((resolve) => setTimeout(resolve, 20)); // the slow line reaches the server first
  const sent = performance.now();
  quick.write('ping\n');
  await once(quick, 'data');
  parentPort!.postMessage(performance.now() - sent);
  slow.destroy();
  quick.destroy();
}

/** The slow work on another thread: the promise settles when it is done. */
function burnInWorker(ms: number): Promise<void> {
  const worker = new Worker(`const end = Date.now() + ${ms}; while (Date.now() < end);`, { eval: true });
  return once(worker, 'exit').then(() => undefined);
}

function burn(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end); // CPU-bound: nothing else on this thread runs meanwhile
}

async function measure(offload: boolean): Promise<number> {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', async (chunk: string) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line === 'slow') {
          if (offload) await burnInWorker(BUSY_MS);
          else burn(BUSY_MS);
        }
        socket.write(`echo: ${line}\n`);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const worker = new Worker(new URL(import.meta.url), { workerData: (server.address() as net.AddressInfo).port });
  const [waited] = (await once(worker, 'message')) as [number];
  server.close();
  return waited;
}

if (isMainThread) {
  const inline = await measure(false);
  console.log(`handler burns ${BUSY_MS} ms on the event loop: another client's echo took ${inline.toFixed(0)} ms`);
  const offloaded = await measure(true);
  console.log(`the same work in a worker thread: another client's echo took ${offloaded.toFixed(1)} ms`);
  console.log(inline > BUSY_MS / 2 && offloaded < BUSY_MS / 2 ? 'the blocking handler stalled every client' : 'unexpected: no stall measured');
} else {
  await clients(workerData as number);
}
