/**
 * Lab starts as labs pile up: every new bwrap copies the host's whole mount table into its own
 * mount namespace, under a lock every other mount and unshare waits on. The driver used to mount
 * each lab's folders on the host (five mounts a lab: home, /tmp, /dev/shm, the Go overlay and its
 * upper layer); it now mounts them in the lab's own namespace (sandbox/drivers/lab-mounts.ts).
 *
 * Starts LABS labs one after another and keeps them, timing the first and the last STARTS; then,
 * as the baseline in the same run, times STARTS more with 5 x LABS tmpfs mounts added on the host
 * (what the LABS labs added before). Prints the host's mount table at each step.
 *
 *   node bench/mount-table.ts [--labs=300]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../sandbox/drivers/types.ts';
import { makeDriver, testLimits } from '../tests/support/sandboxes.ts';
import { ms, pct, row } from './report.ts';

const LABS = Number(process.argv.find((a) => a.startsWith('--labs='))?.split('=')[1] ?? 300);
const STARTS = 20;
const hostMounts = () => readFileSync('/proc/self/mounts', 'utf8').trim().split('\n').length;

const driver = await makeDriver('bwrap', `mounttable-${process.pid}`);
const labs: Sandbox[] = [];
/** Starts `n` labs, keeping them; returns their start times in ms, sorted. */
async function start(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    labs.push(await driver.create(testLimits));
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

console.log(`Socket Lab mount-table benchmark: bwrap lab starts, one at a time, as ${LABS} labs pile up\n`);
const mountsAtStart = hostMounts();
const first = await start(STARTS);
await start(LABS - 2 * STARTS);
const last = await start(STARTS);
const mountsWithLabs = hostMounts();
// The baseline: the host mounts the same labs made before.
const dir = mkdtempSync('/tmp/sl-mount-table-');
const script: string[] = [];
for (let i = 0; i < 5 * LABS; i++) {
  mkdirSync(join(dir, String(i)));
  script.push(`mount -t tmpfs -o size=1m,nr_inodes=64 sl-mount-table ${join(dir, String(i))}`);
}
execFileSync('/bin/sh', ['-e'], { input: script.join('\n') }); // on stdin: too long for an argument
let withHostMounts: number[];
try {
  withHostMounts = await start(STARTS);
} finally {
  execFileSync('/bin/sh', ['-c', `umount ${dir}/* && rm -rf ${dir}`]);
}
for (const lab of labs) await lab.destroy();
await driver.close();

row('host mount table, at start', String(mountsAtStart), '', true);
row(`host mount table, with ${LABS} labs running`, String(mountsWithLabs), `<= ${mountsAtStart + 10}`, mountsWithLabs <= mountsAtStart + 10);
row(`lab start p50, labs 1-${STARTS}`, ms(pct(first, 50)), '', true);
row(`lab start p50, labs ${LABS - STARTS + 1}-${LABS}`, ms(pct(last, 50)), '', true);
row(`baseline: p50 with ${5 * LABS} host mounts (the labs' before)`, ms(pct(withHostMounts, 50)), '', true);
row(`last ${STARTS} / first ${STARTS} (p50)`, `${(pct(last, 50) / pct(first, 50)).toFixed(2)}x`, '<= 1.5x', pct(last, 50) / pct(first, 50) <= 1.5);
row(`baseline / last ${STARTS} (p50)`, `${(pct(withHostMounts, 50) / pct(last, 50)).toFixed(2)}x`, '', true);
process.exit(0);
