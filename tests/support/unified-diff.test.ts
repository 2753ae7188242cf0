/** The mutants' patches (tests/exercises/mutants) apply exactly, or fail saying which hunk. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { applyUnifiedDiff } from './unified-diff.ts';

const original = 'one\ntwo\nthree\nfour\n';
const patch = '--- a\n+++ b\n@@ -2,2 +2,2 @@\n two\n-three\n+THREE\n';

it('applies a hunk where its context matches', () => {
  assert.equal(applyUnifiedDiff(original, patch, 'p'), 'one\ntwo\nTHREE\nfour\n');
});

it('refuses a patch whose context changed, naming the hunk and the line', () => {
  assert.throws(() => applyUnifiedDiff('one\n2\nthree\nfour\n', patch, 'p'), /the hunk @@ -2,2 \+2,2 @@ no longer applies at line 2/);
});
