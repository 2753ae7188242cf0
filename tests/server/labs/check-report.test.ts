/**
 * The server's reading of a checker's report (server/labs/check-report.ts): only the checks the
 * shipped check.ts declares, each once, with every string clipped and the counts its own; and the
 * strict reading of the declared ids from a check.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptReport, parseReportLine, TEXT_LIMIT, TITLE_LIMIT } from '../../../server/labs/check-report.ts';
import { declaredCheckIds } from '../../../src/catalog/exercise-manifest.ts';

const declared = ['echo', 'large'];
const line = (id: string, pass: boolean, got = 'ok') => ({ id, title: `check ${id}`, pass, sent: 's', expected: 'e', got, hint: pass ? '' : 'h' });

function accept(report: unknown) {
  const raw = parseReportLine(JSON.stringify(report));
  assert.ok(raw, 'the report parses');
  return acceptReport(raw, declared);
}

describe('a checker report', () => {
  it('is refused when it names a check the check.ts does not declare, names one twice, or leaves one out', () => {
    assert.throws(() => accept({ checks: [line('echo', true), line('large', true), line('extra', true)] }), /does not declare \(it declares echo, large\)/);
    assert.throws(() => accept({ checks: [line('echo', true), line('echo', true), line('large', true)] }), /"echo" twice/);
    assert.throws(() => accept({ checks: [line('echo', true)] }), /leaves out the declared check large/);
    assert.throws(() => accept({ checks: [line('build', true), line('echo', true), line('large', true)] }), /"build"/, 'a passing build is no check');
  });

  it('has its counts from its checks, whatever it says, and a failing build beside them', () => {
    const report = accept({ checks: [line('echo', true), line('large', false)], passed: 2, total: 2 });
    assert.deepEqual([report.passed, report.total], [1, 2]);
    const build = accept({ checks: [line('build', false), line('echo', false), line('large', false)], passed: 0, total: 3 });
    assert.deepEqual([build.passed, build.total], [0, 3]);
  });

  it('has every string clipped: a 1 MiB "got" keeps 2000 characters', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const report = accept({ checks: [{ ...line('echo', false, huge), title: huge, hint: huge, sent: huge, expected: huge }, line('large', true)] });
    const [first] = report.checks;
    assert.equal(first!.title.length, TITLE_LIMIT);
    for (const text of [first!.got, first!.hint, first!.sent, first!.expected]) assert.equal(text.length, TEXT_LIMIT);
    assert.ok(first!.got.endsWith('…'));
  });

  it('is no report when its line is not JSON of that shape', () => {
    assert.equal(parseReportLine('passed 5/5'), null);
    assert.equal(parseReportLine(JSON.stringify({ passed: 5, total: 5 })), null);
    assert.equal(parseReportLine(JSON.stringify({ checks: [{ id: 'echo', pass: 'yes' }] })), null);
  });
});

describe('the check ids a check.ts declares', () => {
  it('are its quoted literal ids, in order', () => {
    assert.deepEqual(declaredCheckIds(`checks: [{ id: 'echo', title: 'a' }, {\n id:'large-1' }]`, 'x.ts'), ['echo', 'large-1']);
  });

  it('refuse an id that is not a literal, repeated, malformed, the library\'s own, or none at all', () => {
    assert.throws(() => declaredCheckIds("checks: [{ id: 'a' }, { id: `size-${n}` }]", 'x.ts'), /x\.ts:1: a check's id must be a quoted literal/);
    assert.throws(() => declaredCheckIds("{ id: 'a' }\n{ id: 'a' }", 'x.ts'), /x\.ts:2: the check id "a" is declared twice/);
    assert.throws(() => declaredCheckIds("{ id: 'Echo Line' }", 'x.ts'), /lowercase letters/);
    assert.throws(() => declaredCheckIds("{ id: 'build' }", 'x.ts'), /the checker library's own/);
    assert.throws(() => declaredCheckIds('runChecker({ checks: [] })', 'x.ts'), /declares no check/);
  });
});
