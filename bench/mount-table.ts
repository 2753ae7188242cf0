/**
 * How a bwrap sandbox start depends on the host's mount table: starts timed with the usual mounts,
 * then with N more tmpfs mounts (a lab has five: home, /tmp, /dev/shm, the Go overlay and its upper
 * layer), since every new bwrap copies the whole table into its own mount namespace.
 *
 *   node bench/mount-table.ts [N=1500]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { makeDriver, testLimits } from '../tests/support/sandboxes.ts';

const driver = await makeDriver('bwrap', `mounttest-${process.pid}`);
async function starts(n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const s = await driver.create(testLimits);
    times.push(performance.now() - t0);
    await s.destroy();
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}
const before = await starts(10);
const dir = mkdtempSync('/tmp/mt-');
const count = Number(process.argv[2] ?? 1500);
const script: string[] = [];
for (let i = 0; i < count; i++) { mkdirSync(join(dir, String(i))); script.push(`mount -t tmpfs -o size=1m mt ${join(dir, String(i))}`); }
execFileSync('/bin/sh', ['-c', script.join(' && ')]);
const lines = execFileSync('wc', ['-l', '/proc/self/mounts'], { encoding: 'utf8' }).trim();
const after = await starts(10);
execFileSync('/bin/sh', ['-c', `umount ${dir}/*`]);
console.log(`bwrap sandbox start p50: ${before.toFixed(1)} ms with the usual mounts; ${after.toFixed(1)} ms with ${count} more tmpfs mounts (${lines})`);
await driver.close();
process.exit(0);
