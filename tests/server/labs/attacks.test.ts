/**
 * What a hostile or careless learner can do inside a lab, against real bwrap sandboxes with small
 * limits: every attack is contained to its own lab, ends with a stated reason, and leaves nothing
 * behind on the host.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';
import { probe } from '../../support/probe.ts';

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: TestServer;
  const terms: TermClient[] = [];
  const open = async (lab: LabTicket, termId: string) => {
    const t = await TermClient.open(server.base, lab, termId);
    terms.push(t);
    return t;
  };

  before(async () => {
    // No warm pool here (the harness's default): the leak and orphan checks count every sandbox on the machine.
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_MEMORY_MB: '128', LAB_PIDS: '64', LAB_TMP_MB: '16', LAB_INODES: '4000', LAB_CPUS: '0.5' });
  });
  after(async () => {
    for (const t of terms) t.close();
    await server.stop();
  });

  function readlinkSafe(path: string): string {
    try {
      return readlinkSync(path);
    } catch {
      return '';
    }
  }

  function parentOf(pid: number): number {
    try {
      return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    } catch {
      return -1;
    }
  }

  const sandboxes = probe(driver);
  const cgroupFile = (labId: string, controller: string, file: string) => sandboxes.cgroupFile(server.config.SANDBOX_INSTANCE, labId, controller, file);
  /** 1000 labs take ~1 min on bwrap; Docker containers start ~10x slower, so it checks fewer. */
  const LEAK_LABS = driver === 'docker' ? 200 : 1000;

  /** Host pids whose command line contains `needle`. */
  function hostProcesses(needle: string): number[] {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(needle);
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  async function echoLatencies(term: TermClient, count: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const from = term.output.length;
      const t0 = performance.now();
      term.type(key);
      await term.waitFor(key, 5000, from);
      times.push(performance.now() - t0);
    }
    term.type('\x15'); // Ctrl-U: clear the typed line
    return times.sort((a, b) => a - b);
  }

  describe('attacks from inside a lab', () => {
    it('a fork bomb stops at the process limit, and another lab stays responsive', async () => {
      const bomb = await createLab(server.base);
      const calm = await createLab(server.base);
      const b = await open(bomb, 'main');
      const c = await open(calm, 'main');
      await Promise.all([b.waitFor('$ '), c.waitFor('$ ')]);
      b.type('bomb() { bomb | bomb & }; bomb\r');
      await new Promise((r) => setTimeout(r, 1500));
      const pids = Number(readFileSync(cgroupFile(bomb.labId, 'pids', 'pids.current'), 'utf8'));
      assert.ok(pids <= 64, `the bomb lab has ${pids} tasks, over its limit of 64`);
      const latencies = await echoLatencies(c, 20);
      assert.ok(latencies[18]! < 250, `echo in the other lab took ${latencies[18]!.toFixed(1)} ms (p95) during the fork bomb`);
      assert.equal(await deleteLab(server.base, bomb), 204);
      assert.ok(!sandboxes.existing(server.config.SANDBOX_INSTANCE).includes(bomb.labId), 'the lab\'s sandbox is removed');
      await deleteLab(server.base, calm);
    });

    it('a memory bomb is killed by the memory limit and the shell says so', async () => {
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      const out = await t.sh(`python3 -c "a = []
while True: a.append(bytearray(1 << 20))"`, 30_000);
      assert.match(out, /Killed/);
      assert.equal(sandboxes.limitHit(server.config.SANDBOX_INSTANCE, lab.labId), 'oom');
      assert.match(await t.sh('echo shell-alive'), /shell-alive/);
      await deleteLab(server.base, lab);
    });

    it('filling the disk stops at the tmpfs size, with ENOSPC', async () => {
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      const out = await t.sh('dd if=/dev/zero of=~/big bs=1M count=64 2>&1 | grep -i space; dd if=/dev/zero of=/tmp/big bs=1M count=64 2>&1 | grep -i space; df -h ~ /tmp | tail -2');
      assert.match(out, /No space left on device/);
      assert.match(out, /16M/);
      await deleteLab(server.base, lab);
    });

    it('filling the inodes with empty files stops at the inode limit, in every writable folder', async () => {
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      const limit = server.config.LAB_INODES;
      for (const dir of ['~', '/tmp', '/dev/shm', '~/.cache/go-build']) {
        // Empty files use no space, only inodes. `: > f` is a shell builtin: no process per file, so
        // even a missing limit (the loop stops at 100000) takes seconds, not minutes.
        const out = await t.sh(
          `free=$(df --output=iavail ${dir} | tail -1); total=$(df --output=itotal ${dir} | tail -1); mkdir ${dir}/many && cd ${dir}/many; ` +
            `made=0; while [ $made -lt 100000 ] && : 2>/dev/null > f$made; do made=$((made + 1)); done; : > one-more; ` +
            `echo "free=$free total=$total made=$made"; cd ~; rm -rf ${dir}/many`,
          30_000,
        );
        const [, free, total, made] = (/free=\s*(\d+) total=\s*(\d+) made=(\d+)/.exec(out) ?? []).map(Number);
        assert.equal(total, limit, `${dir} holds ${total} inodes, not LAB_INODES=${limit}: ${out}`);
        assert.match(out, /one-more: No space left on device/, `${dir}: ${out}`);
        // The folder `many` takes one of the free inodes; overlay bookkeeping in the Go cache may take a few.
        assert.ok(made! <= free! - 1 && made! >= free! - 10, `${dir}: ${made} files made with ${free} inodes free of ${total}`);
      }
      assert.match(await t.sh('echo shell-"still"-alive'), /shell-still-alive/);
      await deleteLab(server.base, lab);
    });

    it('CPU burn stays under its quota while another lab echoes fast', async () => {
      const burn = await createLab(server.base);
      const calm = await createLab(server.base);
      const b = await open(burn, 'main');
      const c = await open(calm, 'main');
      await Promise.all([b.waitFor('$ '), c.waitFor('$ ')]);
      b.type('for i in 1 2 3 4; do (while :; do :; done) & done\r');
      await new Promise((r) => setTimeout(r, 1000));
      const usage = (): number => Number(readFileSync(cgroupFile(burn.labId, 'cpuacct', 'cpuacct.usage'), 'utf8'));
      const measured = existsSync(cgroupFile(burn.labId, 'cpuacct', 'cpuacct.usage'));
      const u0 = measured ? usage() : 0;
      const w0 = performance.now();
      const latencies = await echoLatencies(c, 40);
      await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (performance.now() - w0))));
      if (measured) {
        // CFS enforces the quota per 100 ms period; over 2 s a 0.5 core quota allows about 1 s of CPU.
        const cores = (usage() - u0) / 1e9 / ((performance.now() - w0) / 1000);
        assert.ok(cores < 0.6, `the burning lab used ${cores.toFixed(2)} cores with a quota of 0.5`);
      }
      assert.ok(latencies[37]! < 50, `echo p95 in the other lab was ${latencies[37]!.toFixed(1)} ms during the CPU burn`);
      await deleteLab(server.base, burn);
      await deleteLab(server.base, calm);
    });

    it('a `setsid nohup sleep` that outlives its terminal dies with the lab', async () => {
      const lab = await createLab(server.base);
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      await t.sh('setsid nohup sleep 4242 >/dev/null 2>&1 & disown');
      t.type('exit\r');
      await t.until(() => t.exit !== null, 'the shell to exit');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(hostProcesses('sleep 4242').length > 0, 'the escaped sleep outlives its terminal while the lab runs');
      await deleteLab(server.base, lab);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(hostProcesses('sleep 4242'), []);
    });

    it('TIOCSTI cannot type into another terminal or another lab', async () => {
      const lab = await createLab(server.base);
      const other = await createLab(server.base);
      const a = await open(lab, 'a');
      const b = await open(lab, 'b');
      const o = await open(other, 'main');
      await Promise.all([a.waitFor('$ '), b.waitFor('$ '), o.waitFor('$ ')]);
      const program = String.raw`#include <sys/ioctl.h>
  #include <fcntl.h>
  #include <stdio.h>
  int main(void) { const char *s = "touch /tmp/injected\n"; int fd = await open("/dev/tty", O_RDWR);
    for (const char *p = s; *p; p++) if (ioctl(fd, TIOCSTI, p) < 0) { perror("TIOCSTI"); return 1; } return 0; }`;
      await a.sh(`printf '%s' '${program.replaceAll("'", "'\\''")}' > sti.c && gcc -o sti sti.c && (setsid ./sti; true)`);
      await new Promise((r) => setTimeout(r, 300));
      assert.doesNotMatch(await b.sh('ls /tmp'), /injected/);
      assert.doesNotMatch(await o.sh('ls /tmp'), /injected/);
      await deleteLab(server.base, lab);
      await deleteLab(server.base, other);
    });
  });

  describe('no leaks', () => {
    it(`${LEAK_LABS} labs created and destroyed leave no PTYs, descriptors, sandboxes, host mounts or processes behind`, async () => {
      // Counted for this process only, so other test files running alongside do not matter.
      const fds = () => readdirSync('/proc/self/fd').length;
      const ptys = () => readdirSync('/proc/self/fd').filter((fd) => readlinkSafe(`/proc/self/fd/${fd}`) === '/dev/ptmx').length;
      const bwraps = () => hostProcesses('bwrap --unshare-all').filter((pid) => parentOf(pid) === process.pid).length;
      // Warm up once so lazily opened descriptors (e.g. the first WebSocket) are not counted as leaks.
      const warm = await createLab(server.base);
      const w = await open(warm, 'main');
      await w.waitFor('$ ');
      w.close();
      await deleteLab(server.base, warm);
      const before = { fds: fds(), ptys: ptys(), bwrap: bwraps() };
      for (let round = 0; round < LEAK_LABS / 4; round++) {
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            const lab = await createLab(server.base);
            const t = await TermClient.open(server.base, lab, 'main');
            await t.waitFor('$ ');
            t.close();
            await deleteLab(server.base, lab);
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 300));
      // The test's own HTTP client keeps a few pooled connections in this process; a leak per lab would be ~1000.
      assert.ok(fds() <= before.fds + 16, `server descriptors grew from ${before.fds} to ${fds()}`);
      assert.equal(ptys(), before.ptys, 'PTYs left open');
      assert.equal(bwraps(), before.bwrap, 'bwrap processes left running');
      assert.deepEqual(sandboxes.existing(server.config.SANDBOX_INSTANCE), [], 'cgroups or containers left behind');
      const labMounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((m) => m.includes(`${server.config.STATE_DIR}/labs/`));
      assert.deepEqual(labMounts, [], 'host mounts of labs (home, /tmp, Go cache) left behind');
    });

    it('after kill -9 of the server, the next start removes the orphaned sandboxes', async () => {
      const instance = `orphans-${driver}-${process.pid}`;
      const env = { ...process.env, PORT: '0', STATE_DIR: '/tmp/sl-state-orphans', SANDBOX_INSTANCE: instance, SANDBOX_DRIVER: driver, LAB_WARM_POOL: '0' };
      const child = spawn(process.execPath, ['server/main.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      const base = await new Promise<string>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          const m = /on (http:\/\/[\d.]+:\d+)/.exec(d.toString());
          if (m) resolve(m[1]!);
        });
      });
      const lab = await createLab(base);
      const t = await TermClient.open(base, lab, 'main');
      await t.waitFor('$ ');
      t.type('sleep 4343 &\r');
      await t.waitFor('$ ', 5000, t.output.length);
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      await new Promise((r) => setTimeout(r, 300));
      // bwrap's --die-with-parent ends the namespace's init, and with it every process of the lab;
      // a Docker lab's container runs on without its server until the next start removes it.
      if (driver === 'bwrap') assert.deepEqual(hostProcesses('sleep 4343'), []);
      else assert.ok(hostProcesses('sleep 4343').length > 0, 'the container outlives the killed server');
      assert.ok(sandboxes.existing(instance).length > 0, 'the killed server left its sandboxes behind');
      const restarted = await startTestServer({ SANDBOX_DRIVER: driver, SANDBOX_INSTANCE: instance, STATE_DIR: env.STATE_DIR });
      try {
        assert.deepEqual(sandboxes.existing(instance), []);
        assert.deepEqual(hostProcesses('sleep 4343'), []);
        assert.doesNotMatch(readFileSync('/proc/self/mounts', 'utf8'), new RegExp(`${env.STATE_DIR}/labs/${instance}/`), 'the labs\' host mounts are removed');
      } finally {
        await restarted.stop();
      }
      execFileSync('true');
    });
  });
});
