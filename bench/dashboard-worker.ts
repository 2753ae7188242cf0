/**
 * The instructors' side of bench/dashboard.ts, in its own thread (as browsers would be their own
 * processes): opens `dashboards` event streams of one assignment and counts the row events each
 * receives. Says `ready` once every stream is open; answers `count` with the rows so far.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { url, cookie, dashboards } = workerData as { url: string; cookie: string; dashboards: number };
let rows = 0;

const streams = await Promise.all(Array.from({ length: dashboards }, () => fetch(url, { headers: { Cookie: cookie } })));
for (const res of streams) {
  if (res.status !== 200) throw new Error(`the event stream answered ${res.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) rows += decoder.decode(chunk as Uint8Array, { stream: true }).split('event: row\n').length - 1;
  })().catch(() => {});
}
parentPort!.on('message', () => parentPort!.postMessage(rows));
parentPort!.postMessage('ready');
