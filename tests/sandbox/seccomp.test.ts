/**
 * bwrap labs ran with no seccomp filter and could make user namespaces (`unshare -Urnm true` gave a
 * learner every capability in a new namespace: the kernel's whole namespaced-root surface, on a
 * host where the server is root), and could type into their terminal with TIOCSTI. They now run
 * under --disable-userns and a seccomp filter (sandbox/drivers/seccomp.ts), their init and every
 * shell and command the driver enters alike. Docker labs have Docker's default profile: checked
 * here too. Lessons' tools keep working: strace -f traces a program's children.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { DENIED, syscallNumber, type Syscall } from '../../sandbox/drivers/seccomp.ts';
import type { Sandbox, SandboxDriver, Shell } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const execOptions = { timeoutMs: 30_000, maxOutputBytes: 1 << 20 };
const EPERM = 1;
const ENOTTY = 25;
const ENOSYS = 38;
const CLONE_NEW = { NEWNS: 0x20000, NEWCGROUP: 0x2000000, NEWUTS: 0x4000000, NEWIPC: 0x8000000, NEWUSER: 0x10000000, NEWPID: 0x20000000, NEWNET: 0x40000000 };
const SIGCHLD = 17;

async function run(sandbox: Sandbox, script: string): Promise<{ code: number | null; out: string }> {
  const result = await sandbox.exec(['/bin/sh', '-c', script], execOptions);
  return { code: result.code, out: Buffer.from(result.stdout).toString() + result.stderr };
}

/** Types `line` into the shell and returns what the terminal shows until `until` appears. */
async function typeInto(shell: Shell, line: string, until: RegExp): Promise<string> {
  let screen = '';
  shell.onData((data) => (screen += Buffer.from(data).toString()));
  shell.write(Buffer.from(`${line}\r`));
  for (let waited = 0; !until.test(screen) && waited < 20_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return screen;
}

for (const name of testDrivers()) describe(`on ${name}`, () => {
  const drivers: SandboxDriver[] = [];
  const sandboxes: Sandbox[] = [];
  after(async () => {
    for (const sandbox of sandboxes) await sandbox.destroy();
    for (const driver of drivers) await driver.close();
  });
  async function lab(): Promise<Sandbox> {
    if (drivers.length === 0) drivers.push(await makeDriver(name, `seccomp-${process.pid}-${name}`));
    const sandbox = await drivers[0]!.create(testLimits);
    sandboxes.push(sandbox);
    return sandbox;
  }

  it('runs every command under a seccomp filter, and no user namespace can be made', async () => {
    const sandbox = await lab();
    const status = await run(sandbox, 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status');
    assert.match(status.out, /^Seccomp:\s+2$/m, `a filter is in force: ${status.out}`);
    assert.match(status.out, /^NoNewPrivs:\s+1$/m);
    for (const command of ['unshare -U true', 'unshare -Urnm true', 'unshare -n true']) {
      const result = await run(sandbox, `${command}; echo "exit=$?"`);
      assert.match(result.out, /exit=1/, `\`${command}\` fails: ${result.out}`);
      assert.match(result.out, /Operation not permitted|No space left on device/, `\`${command}\` says why: ${result.out}`);
    }
  });

  it('lets strace -f follow a program and its children', async () => {
    const sandbox = await lab();
    const result = await run(sandbox, 'strace -f -e trace=execve sh -c "/bin/echo from-the-child & wait" 2>&1; echo "exit=$?"');
    assert.match(result.out, /execve\("\/bin\/echo", \["\/bin\/echo", "from-the-child"\]/, result.out);
    assert.match(result.out, /^from-the-child$/m);
    assert.match(result.out, /exit=0/);
  });

  if (name !== 'bwrap') return;

  it('refuses every call of the deny list with its error, and lets the rest through', async () => {
    const sandbox = await lab();
    const cases: [label: string, syscall: Syscall, args: number[], errno: number][] = [];
    for (const rule of DENIED.filter((r) => !r.when)) {
      if (syscallNumber(rule.syscall) !== null) cases.push([rule.syscall, rule.syscall, [], rule.errno ?? EPERM]);
    }
    for (const [flag, bit] of Object.entries(CLONE_NEW)) {
      cases.push([`unshare(CLONE_${flag})`, 'unshare', [bit], EPERM], [`clone(CLONE_${flag})`, 'clone', [bit | SIGCHLD], EPERM]);
    }
    cases.push(['unshare(CLONE_NEWTIME)', 'unshare', [0x80], EPERM], ['unshare(CLONE_FILES)', 'unshare', [0x400], 0]);
    cases.push(['ioctl(TIOCSTI)', 'ioctl', [0, 0x5412], EPERM], ['ioctl(TIOCLINUX)', 'ioctl', [0, 0x541c], EPERM], ['ioctl(TCGETS)', 'ioctl', [0, 0x5401], ENOTTY]);
    assert.ok(cases.some(([label]) => label === 'clone3'));
    // Raw calls from Python's ctypes, each with its errno; a clone that got through exits at once.
    const script = String.raw`
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
results = {}
for label, nr, args in json.loads(sys.argv[1]):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args + [0] * (6 - len(args))])
    if r == 0 and label.startswith("clone("): os._exit(0)
    results[label] = 0 if r >= 0 else ctypes.get_errno()
print(json.dumps(results))`;
    const input = JSON.stringify(cases.map(([label, syscall, args]) => [label, syscallNumber(syscall), args]));
    const result = await sandbox.exec(['python3', '-c', script, input], execOptions);
    assert.equal(result.code, 0, result.stderr);
    const errnos = JSON.parse(Buffer.from(result.stdout).toString()) as Record<string, number>;
    assert.deepEqual(errnos, Object.fromEntries(cases.map(([label, , , errno]) => [label, errno])));
    assert.equal(errnos.clone3, ENOSYS, 'clone3 answers ENOSYS, so libc falls back to clone');
  });

  it('kills a process that makes x32 or i386 calls, whose numbers mean other calls', { skip: process.arch !== 'x64' && 'x86_64 only' }, async () => {
    const sandbox = await lab();
    const x32 = await run(sandbox, `python3 -c 'import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39); print("survived")'; echo "status=$?"`);
    assert.doesNotMatch(x32.out, /survived/);
    assert.match(x32.out, /status=159/, `killed by SIGSYS: ${x32.out}`);
    const i386 = await run(
      sandbox,
      `printf '%s' 'int main(void) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L)); return 3; }' > /tmp/i386.c && gcc -o /tmp/i386 /tmp/i386.c && /tmp/i386; echo "status=$?"`,
    );
    assert.match(i386.out, /status=159/, `killed by SIGSYS: ${i386.out}`);
  });

  it('refuses TIOCSTI on the lab\'s terminal', async () => {
    const sandbox = await lab();
    const shell = await sandbox.openShell({ cols: 120, rows: 24 });
    const screen = await typeInto(shell, `python3 -c 'import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b"x")' 2>&1 | tail -1; echo STI-$((6 * 7))`, /STI-42/);
    shell.kill();
    assert.match(screen, /PermissionError: \[Errno 1\] Operation not permitted/, screen);
  });

  it('enters shells through a loader no lab process can trace before it has installed the filter', async () => {
    const sandbox = await lab();
    // The loader blocks reading its filter from a FIFO: the window in which it has none yet.
    const result = await run(
      sandbox,
      'mkfifo /tmp/filter && { /opt/socketlab/seccomp/exec /tmp/filter / /bin/true </dev/null >/dev/null 2>&1 & pid=$!; } && sleep 0.3; ' +
        'strace -p "$pid" 2>&1 | head -1; cat /proc/$pid/environ >/dev/null; head -c1 /opt/socketlab/seccomp/exec; kill "$pid"',
    );
    assert.match(result.out, /attach: ptrace\(PTRACE_SEIZE, \d+\): Operation not permitted/, result.out);
    assert.match(result.out, /environ: Permission denied/, result.out);
    assert.match(result.out, /cannot open '\/opt\/socketlab\/seccomp\/exec' for reading: Permission denied/, 'the learner cannot read the loader');
  });
});

describe('the deny list', () => {
  // Checked against the kernel headers this machine has (asm-generic's numbers are arm64's).
  const headers = { x64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h', arm64: '/usr/include/asm-generic/unistd.h' };
  for (const [arch, header] of Object.entries(headers)) {
    it(`has the ${arch} numbers of ${header}`, { skip: !existsSync(header) && `${header} is not installed` }, () => {
      const text = readFileSync(header, 'utf8');
      let checked = 0;
      for (const { syscall } of DENIED) {
        const defined = new RegExp(`#define __NR(?:3264)?_${syscall}\\s+(\\d+)`).exec(text);
        if (!defined) continue; // newer than these headers (open_tree_attr), or not on this architecture
        assert.equal(syscallNumber(syscall, arch), Number(defined[1]), `${syscall} on ${arch}`);
        checked++;
      }
      assert.ok(checked > 30, `${checked} numbers checked`);
    });
  }
});
