/**
 * What the benchmarks print: percentiles, units, and one row per figure with its target, so every
 * benchmark's output reads the same way.
 */
import { readFileSync } from 'node:fs';

/** The p-th percentile of numbers sorted ascending (nearest rank). */
export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
export const ms = (v: number) => `${v.toFixed(2)} ms`;
export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** One figure: its name, its value, and the target it must meet (if any) with the verdict. */
export function row(name: string, value: string, target: string, ok: boolean): void {
  console.log(`${name.padEnd(52)} ${value.padStart(18)}   target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`);
}

const TICKS = 100; // USER_HZ: /proc's CPU times are in these

/** CPU time a process has used so far (user + system), in seconds, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The machine's busy and total CPU time so far, in seconds, over all cores (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const t = times.map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  const idle = t[3]! + t[4]!; // idle + iowait
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}
