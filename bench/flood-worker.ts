/**
 * The browser side of the throughput benchmark, in its own thread (as a browser would be its own
 * process): attaches a terminal, floods it, ACKs as it receives, and reports bytes per second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TermClient } from '../tests/support/lab-client.ts';
import type { LabTicket } from '../wire/lab-api.ts';

const { base, lab, bytes } = workerData as { base: string; lab: LabTicket; bytes: number };
const t = await TermClient.open(base, lab, 'flood', { keep: 4096 });
await t.waitFor('$ ');
const start = t.received;
const t0 = performance.now();
// The marker is split in the command so that the echoed command line does not match it.
t.type(`head -c ${bytes} /dev/zero | tr '\\0' x; echo; echo DO""NE\r`);
await t.waitFor('DONE\r\n', 300_000);
parentPort!.postMessage((t.received - start) / ((performance.now() - t0) / 1000));
t.close();
