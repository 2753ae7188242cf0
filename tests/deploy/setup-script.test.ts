/**
 * scripts/setup.sh and scripts/os.sh on this machine, fast: the Debian mirror is read from every
 * layout of apt sources a Debian or Ubuntu machine has (never from a comment), and a failing step
 * stops setup with one line naming the step, the command, its line and what to do, and that
 * command's exit status. (tests/deploy/fresh-machine.test.ts runs the whole of it from nothing.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

function bash(script: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('bash', ['-c', `set -Eeuo pipefail; ${script}`], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

/** An /etc/apt-like folder with the given files. */
function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sl-apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
`;

describe('scripts/os.sh', () => {
  const mirror = (dir: string) => bash(`source scripts/os.sh; debian_mirror ${dir}`);

  it('reads the mirror from deb822 sources only, skipping the commented snapshot URL', () => {
    const result = mirror(aptDir({ 'sources.list.d/debian.sources': DEB822 }));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'http://mirror.example.org/debian');
  });

  it('reads a classic sources.list, with options in brackets and a security line first', () => {
    const classic = '# deb http://commented.example.org/debian bookworm main\ndeb http://security.example.org/debian-security bookworm-security main\ndeb [arch=amd64] http://classic.example.org/debian bookworm main\n';
    const result = mirror(aptDir({ 'sources.list': classic }));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'http://classic.example.org/debian');
  });

  it('falls back to deb.debian.org when there are no sources at all, without failing', () => {
    const result = mirror(aptDir({}));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'http://deb.debian.org/debian');
  });

  it('compares versions as versions', () => {
    const result = bash('source scripts/os.sh; version_at_least 1.23.5 1.22 && ! version_at_least 1.19.8 1.22 && version_at_least 24.2.0 22.12.0 && echo ok');
    assert.equal(result.stdout.trim(), 'ok', result.stderr);
  });
});

describe('scripts/setup.sh', () => {
  it('stops at a failing step with one line: the step, the command, its line, what to do, and its status', () => {
    // apt-get update fails the way it does with unreachable sources; dpkg says nothing is installed.
    const bin = mkdtempSync(join(tmpdir(), 'sl-failing-bin-'));
    writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Failed to fetch http://mirror.example.org/debian" >&2\nexit 100\n');
    writeFileSync(join(bin, 'dpkg'), '#!/bin/sh\nexit 1\n');
    for (const f of ['apt-get', 'dpkg']) chmodSync(join(bin, f), 0o755);
    const result = bash('source scripts/setup.sh', { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    assert.equal(result.status, 100, `setup exits with the failing command's status:\n${result.stderr}`);
    const last = result.stderr.trim().split('\n').at(-1)!.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(last, /^\[setup\] step "apt-get update" failed: `apt-get update -qq` exited with 100 \(scripts\/setup\.sh line \d+\)\. Check this machine's apt sources/);
  });
});
