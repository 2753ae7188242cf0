/**
 * The warm Go cache bwrap labs share had folders mode 0777 (without the sticky bit): any local user
 * could add entries, compiled code every lab would link into its programs. It is now writable by the
 * server's user only; a cache an older server left open is closed and cleared of what others put
 * there; and a lab still adds its own entries, to its overlay's upper layer.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, it } from 'node:test';
import { goCacheRecipe, warmGoCache } from '../../sandbox/drivers/go-cache.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { ROOT } from '../support/examples.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const SHARED_CACHE = '/var/cache/socketlab/go-build';
const NOBODY = 65534;

let driver: SandboxDriver | undefined;
let sandbox: Sandbox | undefined;
after(async () => {
  await sandbox?.destroy();
  await driver?.close();
});

it('closes a cache an older server left writable by all, and removes what others added', () => {
  const cache = join(mkdtempSync(join(tmpdir(), 'sl-gocache-')), 'go-build');
  mkdirSync(join(cache, '00'), { recursive: true });
  writeFileSync(join(cache, 'README'), 'a warm cache\n');
  writeFileSync(join(cache, 'WARMED'), goCacheRecipe(join(ROOT, 'content/examples')));
  writeFileSync(join(cache, '00', 'ours-a'), 'built by the server\n');
  writeFileSync(join(cache, '00', 'planted-a'), 'built by someone else\n');
  chownSync(join(cache, '00', 'planted-a'), NOBODY, NOBODY);
  mkdirSync(join(cache, '01'));
  writeFileSync(join(cache, '01', 'inside'), '');
  chownSync(join(cache, '01'), NOBODY, NOBODY);
  symlinkSync('/etc/shadow', join(cache, '00', 'link-a'));
  lchownSync(join(cache, '00', 'link-a'), NOBODY, NOBODY);
  chmodSync(cache, 0o777);
  chmodSync(join(cache, '00'), 0o777);

  assert.equal(warmGoCache(join(ROOT, 'content/examples'), cache, {}), true, 'the cache is ready');
  assert.equal(statSync(cache).mode & 0o777, 0o755);
  assert.equal(statSync(join(cache, '00')).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(cache).sort(), ['00', 'README', 'WARMED']);
  assert.deepEqual(readdirSync(join(cache, '00')), ['ours-a']);
  assert.deepEqual(readdirSync(dirname(cache)), ['go-build'], 'what was taken out is removed');
  assert.equal(existsSync('/etc/shadow'), true, 'never through the planted symlink');
});

it('a cache warmed for other Go examples is not ready: a new or changed Go program changes the recipe', () => {
  const examples = mkdtempSync(join(tmpdir(), 'sl-goexamples-'));
  mkdirSync(join(examples, 'tcp/go'), { recursive: true });
  writeFileSync(join(examples, 'tcp/go/server.go'), 'package main\nfunc main() {}\n');
  const before = goCacheRecipe(examples);
  writeFileSync(join(examples, 'tcp/go/client.go'), 'package main\nfunc main() {}\n');
  const added = goCacheRecipe(examples);
  writeFileSync(join(examples, 'tcp/go/client.go'), 'package main\nfunc main() { println() }\n');
  assert.notEqual(added, before, 'a new Go file');
  const changed = goCacheRecipe(examples);
  assert.notEqual(changed, added, 'a changed Go file');
  writeFileSync(join(examples, 'tcp/go/notes.txt'), 'not Go');
  assert.equal(goCacheRecipe(examples), changed, 'a file that is not Go changes nothing');
});

it('a cache warmed for other examples is warmed again on top of what it has, so only new programs compile', () => {
  const examples = mkdtempSync(join(tmpdir(), 'sl-goexamples-'));
  mkdirSync(join(examples, 'tcp/go'), { recursive: true });
  writeFileSync(join(examples, 'tcp/go/server.go'), 'package main\n\nfunc main() {}\n');
  const cache = join(mkdtempSync(join(tmpdir(), 'sl-gocache-')), 'go-build');
  mkdirSync(join(cache, '00'), { recursive: true });
  writeFileSync(join(cache, '00', 'earlier-entry'), 'compiled for the examples before\n');
  writeFileSync(join(cache, 'WARMED'), 'an older recipe\n');

  const started = Date.now();
  assert.equal(warmGoCache(examples, cache, { PATH: process.env.PATH ?? '' }), true, 'the cache is ready');
  console.log(`# warmed one new program on top of a cache in ${Date.now() - started} ms`);
  assert.equal(existsSync(join(cache, '00', 'earlier-entry')), true, 'what the cache had is kept');
  assert.equal(readFileSync(join(cache, 'WARMED'), 'utf8'), goCacheRecipe(examples));
});

it('the shared cache is writable by root only, and a lab adds entries to every folder of it', async () => {
  driver = await makeDriver('bwrap', `go-cache-${process.pid}`);
  for (const path of [SHARED_CACHE, ...readdirSync(SHARED_CACHE, { recursive: true, encoding: 'utf8' }).map((e) => join(SHARED_CACHE, e))]) {
    const { uid, mode } = statSync(path);
    assert.ok(uid === 0 && (mode & 0o022) === 0, `${path} is mode ${(mode & 0o777).toString(8)}, uid ${uid}`);
  }
  sandbox = await driver.create(testLimits);
  const result = await sandbox.exec(['/bin/sh', '-c', 'cd ~/.cache/go-build && for d in */; do touch "$d/learner-entry" || exit 1; done && touch learner-file && echo added'], { timeoutMs: 20_000, maxOutputBytes: 1 << 16 });
  assert.equal(Buffer.from(result.stdout).toString(), 'added\n', result.stderr);
  assert.equal(existsSync(join(SHARED_CACHE, '00', 'learner-entry')), false, 'the entries stay in the lab');
  // http-kv builds with -race: cold, its standard library (~85 MB) would not even fit the 64 MiB home.
  const race = await sandbox.exec(['/bin/sh', '-c', 'cd ~/examples/http-uds/go && go build -race -o /tmp/server-race server.go && echo built'], { timeoutMs: 60_000, maxOutputBytes: 1 << 16 });
  assert.equal(Buffer.from(race.stdout).toString(), 'built\n', `a -race build in a lab: ${race.stderr}`);
});
