/**
 * An exercise statement with bad frontmatter fails the build with a message naming the file, the
 * field and what is allowed, as a lesson's does (src/schemas/exercise.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { run } from '../support/processes.ts';
import { ROOT } from '../support/examples.ts';

const astro = join(ROOT, 'node_modules/.bin/astro');

describe('bad exercise frontmatter', () => {
  it('fails the build naming the file, the field and what is allowed', async () => {
    mkdirSync(join(ROOT, '.test-builds'), { recursive: true });
    const out = mkdtempSync(join(ROOT, '.test-builds', 'bad-exercise-'));
    after(() => rmSync(out, { recursive: true, force: true }));
    const result = await run(`${astro} build --outDir ${out}`, {
      cwd: ROOT,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', SOCKETLAB_EXERCISES_DIR: join(import.meta.dirname, 'fixtures/bad-exercise') },
      timeoutMs: 300_000,
    });
    const output = stripVTControlCharacters(result.stdout + result.stderr);
    assert.notEqual(result.code, 0, 'the build should fail');
    assert.match(output, /udp-broken\/exercise\.mdx/, 'the message names the file');
    assert.match(output, /topic: Invalid option: expected one of "tcp"\|"tcp-life"\|"udp"\|"uds-stream"\|"uds-dgram"\|"http-uds"/, 'the message names the field and the allowed values');
    assert.match(output, /difficulty: must be 1 \(easy\), 2 \(medium\) or 3 \(hard\)/);
    assert.match(output, /minutes: missing; every exercise needs it/, 'a missing field is named too');
  });
});
