/**
 * An exercise statement with bad frontmatter fails the build with a message naming the file, the
 * field and what is allowed, as a lesson's does (src/schemas/exercise.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { TOPICS } from '../../src/catalog/topics.ts';
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
    // Every topic, in course order: the list grows with the course (src/catalog/topics.ts).
    const allowed = TOPICS.map((topic) => `"${topic}"`).join('|');
    assert.ok(output.includes(`topic: Invalid option: expected one of ${allowed}`), `the message names the field and the allowed values (${allowed}):\n${output}`);
    assert.match(output, /difficulty: must be 1 \(easy\), 2 \(medium\) or 3 \(hard\)/);
    assert.match(output, /minutes: missing; every exercise needs it/, 'a missing field is named too');
  });
});
