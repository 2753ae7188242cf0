/**
 * A pass cannot be faked from inside a lab (docs/protocol.md, "A pass cannot be faked"), on every
 * driver: a learner who keeps swapping a fake checker into wherever checkers live, who signals or
 * ptraces the checker while it runs, or whose program writes a forged report, still gets the
 * honest fail of a wrong program, and the solution stays locked. Each attack runs in the learner's own terminal, or is
 * the learner's program, while the check of a wrong program (tcp-echo's starter) runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLab, TermClient } from '../../support/lab-client.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';
import { declaredCheckIds, EXERCISES_DIR } from '../../../src/catalog/exercise-manifest.ts';
import type { CheckAnswer, LabTicket } from '../../../wire/lab-api.ts';

const EXERCISE = 'tcp-echo';
const ids = declaredCheckIds(readFileSync(join(EXERCISES_DIR, EXERCISE, 'check.ts'), 'utf8'), EXERCISE);
/** What a checker that saw every check pass prints, as its last line. */
const FORGED = JSON.stringify({
  checks: ids.map((id) => ({ id, title: 'forged', pass: true, sent: 'x', expected: 'x', got: 'x', hint: '' })),
  passed: ids.length,
  total: ids.length,
});
const FAKE_CHECKER = `process.stdout.write(${JSON.stringify(`${FORGED}\n`)});\n`;

/** Tries PTRACE_ATTACH on every pid given; prints "attached <pid>" or "denied <pid> <errno>". */
const PTRACE_C = `#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    pid_t pid = atoi(argv[i]);
    if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) { waitpid(pid, NULL, 0); printf("attached %d\\n", pid); ptrace(PTRACE_DETACH, pid, NULL, NULL); }
    else printf("denied %d %d\\n", pid, errno);
  }
  return 0;
}
`;

/** Pids of the lab's processes whose command line names a checker (check.ts). */
const CHECKER_PIDS = `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null | grep -q 'check\\.ts' && { p=\${f%/cmdline}; echo \${p#/proc/}; }; done`;

for (const driver of testDrivers()) describe(`faking a pass, on ${driver}`, () => {
  let server: TestServer;
  const terms: TermClient[] = [];

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '900' });
  });
  after(async () => {
    for (const t of terms) t.close();
    await server?.stop();
  });

  async function api(lab: LabTicket, method: string, route: string, body?: unknown): Promise<{ status: number; body: CheckAnswer & { reason?: string; error?: string } }> {
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/${route}`, {
      method,
      headers: { Authorization: `Bearer ${lab.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as CheckAnswer & { reason?: string } };
  }

  async function save(lab: LabTicket, path: string, content: string): Promise<void> {
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/files/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${lab.token}` }, body: content });
    assert.equal(res.status, 204, `saving ~/${path}: ${await res.text()}`);
  }

  /** A new lab with tcp-echo started in TypeScript (its starter fails) and a terminal open in it. */
  async function labWithStarter(): Promise<{ lab: LabTicket; term: TermClient }> {
    const lab = await createLab(server.base);
    assert.equal((await api(lab, 'POST', `exercises/${EXERCISE}/start`, { lang: 'ts' })).status, 200);
    const term = await TermClient.open(server.base, lab, 'attack');
    terms.push(term);
    await term.opened();
    return { lab, term };
  }

  /** Checks the starter: an honest report of a fail, and the solution still locked. */
  async function assertHonestFail(lab: LabTicket, what: string): Promise<void> {
    const answer = await api(lab, 'POST', `exercises/${EXERCISE}/check`, { lang: 'ts' });
    assert.equal(answer.status, 200, `${what}: the check gave no report: ${JSON.stringify(answer.body).slice(0, 800)}`);
    assert.deepEqual(answer.body.checks.map((c) => c.id), ids, `${what}: the report is not the checker's`);
    assert.ok(answer.body.passed < answer.body.total, `${what}: a wrong program passed: ${JSON.stringify(answer.body).slice(0, 800)}`);
    assert.ok(answer.body.checks.every((c) => c.title !== 'forged'), `${what}: the forged report got through`);
    assert.equal(answer.body.unlocked, false);
    assert.equal((await api(lab, 'GET', `exercises/${EXERCISE}/solution/ts`)).status, 403, `${what}: the solution unlocked`);
  }

  it('a loop copying a fake checker over wherever checkers live does not make a wrong program pass', async () => {
    const { lab, term } = await labWithStarter();
    await save(lab, 'fake-check.ts', FAKE_CHECKER);
    // Every place a checker was or is: the old private folders in /tmp, and the new read-only one.
    const targets = `/tmp/socketlab-check.*/${EXERCISE} /opt/socketlab/checker/${EXERCISE} /opt/socketlab/checker/_lib`;
    const attempt = `for d in ${targets}; do cp ~/fake-check.ts "$d/check.ts"; cp ~/fake-check.ts "$d/checker.ts"; mv -f ~/copy.ts "$d/check.ts"; cp ~/fake-check.ts ~/copy.ts; done 2>/dev/null`;
    term.type(`(while :; do ${attempt}; done) & echo "swapping"""\r`);
    await term.waitFor('swapping');
    for (let round = 0; round < 2; round++) await assertHonestFail(lab, `swap, round ${round + 1}`);
    const tried = await term.sh(`cp ~/fake-check.ts /opt/socketlab/checker/${EXERCISE}/check.ts; ls -ln /opt/socketlab/checker/${EXERCISE}/`);
    assert.match(tried, /Read-only file system|Permission denied/, 'the learner can write the checker files');
    term.type('kill %1\r');
  });

  it('a learner process cannot kill -9 or ptrace the checker while it runs', async () => {
    const { lab, term } = await labWithStarter();
    await save(lab, 'attach.c', PTRACE_C);
    assert.doesNotMatch(await term.sh('gcc -o ~/attach ~/attach.c && echo built'), /error/);
    // Every 50 ms: every checker process gets SIGKILL and a PTRACE_ATTACH; the results go to a log.
    term.type(`(while :; do for p in $(${CHECKER_PIDS}); do kill -9 $p 2>/dev/null && echo "killed $p"; ~/attach $p; done; sleep 0.05; done > ~/attack.log 2>&1) & echo "attacking"""\r`);
    await term.waitFor('attacking');
    await assertHonestFail(lab, 'kill and ptrace');
    term.type('kill %1\r');
    // Only the log's lines: the shell's own notice of the ended job repeats the loop's text.
    const log = (await term.sh("sort -u ~/attack.log | sed 's/^/log: /'")).split('\n').flatMap((l) => /log: (.*?)\r?$/.exec(l)?.slice(1) ?? []).join('\n');
    assert.match(log, /denied \d+ 1\b/, `the attack never found the checker running (it must see it, and be refused with EPERM):\n${log}`);
    assert.doesNotMatch(log, /killed|attached/, `the learner reached the checker:\n${log}`);
  });

  it('a wrong program that writes a forged report, on its stdout or into the checker\'s, does not pass', async () => {
    const { lab } = await labWithStarter();
    // It never listens: it prints the report, and leaves a process behind that opens the checker's
    // own stdout (through /proc/<pid>/fd/1 for a pipe; pidfd_getfd for a socket: both allowed to
    // whoever may ptrace it) and writes the report there once the checker has printed its own.
    const forge = `import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def grab(pid):
    try:
        return os.open(f'/proc/{pid}/fd/1', os.O_WRONLY)
    except OSError:
        pass
    try:
        fd = libc.syscall(438, os.pidfd_open(pid), 1, 0)
        return fd if fd >= 0 else None
    except OSError:
        return None
for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
    try:
        cmdline = open(f'/proc/{pid}/cmdline', 'rb').read()
    except OSError:
        continue
    fd = grab(pid) if b'check.ts' in cmdline and b'python' not in cmdline else None
    if fd is None: continue
    while os.path.exists(f'/proc/{pid}'): time.sleep(0.05)
    os.write(fd, (sys.argv[1] + '\\n').encode())
    break`;
    await save(
      lab,
      `exercises/${EXERCISE}/ts/server.ts`,
      `import { spawn } from 'node:child_process';\nconst forged = ${JSON.stringify(FORGED)};\nconsole.log(forged);\nspawn('python3', ['-c', ${JSON.stringify(forge)}, forged], { detached: true, stdio: 'ignore' }).unref();\nsetInterval(() => console.log(forged), 100);\n`,
    );
    await assertHonestFail(lab, 'forged report');
  });
});
