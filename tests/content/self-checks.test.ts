/**
 * Self-checks (frontmatter `selfCheck`, src/schemas/lesson.ts): every lesson ends with three to six
 * questions, each with exactly one right answer and an explanation on every answer, and no two
 * questions alike (answers are kept in the browser by a hash of the question's text). A broken
 * self-check fails the build naming the file and the field.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { parseFrontmatter } from '@astrojs/internal-helpers/frontmatter';
import { lessonFields, type SelfCheckQuestion } from '../../src/schemas/lesson.ts';
import { formatIssues } from '../../src/schemas/error-map.ts';
import { ROOT } from '../support/examples.ts';
import { run } from '../support/processes.ts';

const LESSONS = join(ROOT, 'content/lessons');

describe('lesson self-checks', () => {
  for (const file of readdirSync(LESSONS).filter((f) => f.endsWith('.mdx'))) {
    it(`${file} has 3 to 6 questions, each with exactly one right answer and a why on every answer`, () => {
      const { frontmatter } = parseFrontmatter(readFileSync(join(LESSONS, file), 'utf8'));
      assert.ok(frontmatter.selfCheck, `${file} has no selfCheck in its frontmatter; add 3 to 6 questions (see src/schemas/lesson.ts)`);
      const parsed = lessonFields.shape.selfCheck.safeParse(frontmatter.selfCheck);
      assert.ok(parsed.success, `${file}: selfCheck\n${parsed.error && formatIssues(parsed.error.issues)}`);
      const questions: SelfCheckQuestion[] = parsed.data!;
      assert.ok(questions.length >= 3 && questions.length <= 6, `${file}: ${questions.length} questions`);
      for (const q of questions) {
        assert.equal(q.options.filter((o) => o.correct).length, 1, `${file}: "${q.question}" needs exactly one right answer`);
        for (const o of q.options) assert.ok(o.why.trim().length > 0, `${file}: "${q.question}" / "${o.text}" has no why`);
        assert.equal(new Set(q.options.map((o) => o.text)).size, q.options.length, `${file}: "${q.question}" offers the same answer twice`);
      }
      assert.equal(new Set(questions.map((q) => q.question)).size, questions.length, `${file}: two questions are the same`);
    });
  }

  it('a broken self-check fails the build, naming the file, the field and what to write', async () => {
    mkdirSync(join(ROOT, '.test-builds'), { recursive: true });
    const out = mkdtempSync(join(ROOT, '.test-builds', 'bad-self-check-'));
    after(() => rmSync(out, { recursive: true, force: true }));
    const result = await run(`${join(ROOT, 'node_modules/.bin/astro')} build --outDir ${out}`, {
      cwd: ROOT,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', SOCKETLAB_LESSONS_DIR: join(import.meta.dirname, 'fixtures/bad-self-check') },
      timeoutMs: 300_000,
    });
    const output = stripVTControlCharacters(result.stdout + result.stderr);
    assert.notEqual(result.code, 0, 'the build should fail');
    assert.match(output, /tcp-bad-check/, 'the message names the file');
    assert.match(output, /selfCheck\.0\.options: must mark exactly one answer with "correct: true"/);
    assert.match(output, /selfCheck\.1\.options\.0\.why: missing; write why this answer is right or wrong/);
  });
});
