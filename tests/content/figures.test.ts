/**
 * Figures (src/figures, src/components/Figure.astro): every lesson shows at least one, each with a
 * text alternative and a source file in content/figures; every source renders to a non-empty SVG
 * that names no external URL (the site's CSP and the no-network rule forbid fonts from elsewhere);
 * bad sources fail with a message naming the lesson, the figure and what to fix, and a lesson
 * naming a missing figure fails the build.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { renderFigure } from '../../src/figures/figure.ts';
import { mermaidProblems } from '../../src/figures/mermaid.ts';
import { ROOT } from '../support/examples.ts';
import { run } from '../support/processes.ts';

const LESSONS = join(ROOT, 'content/lessons');
const FIGURES = join(ROOT, 'content/figures');
const figureFiles = readdirSync(FIGURES).filter((f) => /\.(mmd|chart\.json)$/.test(f));
const figureName = (file: string) => file.replace(/\.(mmd|chart\.json)$/, '');

/** The <Figure .../> tags of a lesson, with their attributes. */
function figuresOf(file: string): Record<string, string>[] {
  const body = readFileSync(join(LESSONS, file), 'utf8');
  return [...body.matchAll(/<Figure\b([\s\S]*?)\/>/g)].map((tag) => Object.fromEntries([...tag[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe('lesson figures', () => {
  const lessons = readdirSync(LESSONS).filter((f) => f.endsWith('.mdx'));

  for (const lesson of lessons) {
    it(`${lesson} shows at least one figure, each with a text alternative and a source file`, () => {
      const figures = figuresOf(lesson);
      assert.ok(figures.length > 0, `${lesson} has no <Figure>; add a diagram or chart (content/figures/<name>.mmd or .chart.json)`);
      for (const figure of figures) {
        assert.ok(figure.name, `${lesson}: a <Figure> without name`);
        assert.ok(figure.alt?.trim(), `${lesson}: <Figure name="${figure.name}"> has no alt text`);
        assert.ok(existsSync(join(FIGURES, `${figure.name}.mmd`)) || existsSync(join(FIGURES, `${figure.name}.chart.json`)), `${lesson}: no source for figure "${figure.name}" in content/figures`);
      }
    });
  }

  it('every figure file is shown by a lesson', () => {
    const shown = new Set(lessons.flatMap((l) => figuresOf(l).map((f) => f.name)));
    assert.deepEqual(figureFiles.map(figureName).filter((name) => !shown.has(name)), []);
  });

  for (const file of figureFiles) {
    it(`${file} renders to an SVG with a text version and no external URL`, () => {
      const figure = renderFigure({ name: figureName(file), alt: 'The figure', page: 'the test' }, FIGURES);
      assert.match(figure.svg, /^<svg [^>]*role="img"[^>]*><title id="[^"]+">The figure<\/title>/);
      assert.ok(figure.svg.length > 500 && /<(text|rect|line|polyline|path)\b/.test(figure.svg), 'the SVG draws something');
      const urls = [...figure.svg.matchAll(/(?:https?:)?\/\/[^\s"')<]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg');
      assert.deepEqual(urls, [], 'the SVG names no external URL');
      assert.doesNotMatch(figure.svg, /@import|<style/, "beautiful-mermaid's own style (a web font, fixed colours) is removed");
      assert.ok(figure.text.trim().length > 20, 'a text version');
    });
  }
});

describe('a bad figure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-figures-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const renderError = (name: string, alt: string | undefined) => {
    try {
      renderFigure({ name, alt, page: 'content/lessons/tcp.mdx' }, dir);
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail(`figure ${name} rendered`);
  };

  it('with no file names both files it could be', () => {
    assert.match(renderError('tcp-handshake', 'Some text'), /^<Figure name="tcp-handshake"> in content\/lessons\/tcp\.mdx: no figure file: add .*tcp-handshake\.mmd .* or .*tcp-handshake\.chart\.json/);
  });

  it('with no alt text says to write one', () => {
    write('plain.mmd', 'flowchart LR\n  A --> B\n');
    assert.match(renderError('plain', undefined), /<Figure name="plain"> in content\/lessons\/tcp\.mdx: alt is missing; write a text alternative/);
    assert.match(renderError('plain', '  '), /alt is missing/);
  });

  it('with bad JSON or wrong chart fields says which and what to write', () => {
    write('broken.chart.json', '{ "title": "x", ');
    assert.match(renderError('broken', 'Some text'), /<Figure name="broken"> in content\/lessons\/tcp\.mdx: .*broken\.chart\.json is not valid JSON .*write \{"title", "unit", "bars"/);
    write('wrong.chart.json', JSON.stringify({ title: 'Latency', bars: [{ label: 'TCP', value: -1 }], source: 'measured by hand' }));
    const message = renderError('wrong', 'Some text');
    assert.match(message, /wrong\.chart\.json has wrong fields/);
    assert.match(message, /- unit: /);
    assert.match(message, /- bars\.0\.value: must be a measured number, 0 or more/);
  });

  it('with a Mermaid error names the line and what it expected', () => {
    write('typo.mmd', 'sequenceDiagram\n  participant C as Client\n  C->>: SYN\n');
    assert.match(renderError('typo', 'Some text'), /<Figure name="typo"> in content\/lessons\/tcp\.mdx: .*typo\.mmd is not a diagram the course can render; fix:\n {2}- line 3: "C->>: SYN" is not a participant, message \("A->>B: text"\)/);
    write('pie.mmd', 'pie\n  "a": 1\n');
    assert.match(renderError('pie', 'Some text'), /line 1: "pie" is not a diagram kind the course renders; start with one of: sequenceDiagram, stateDiagram-v2, flowchart/);
  });

  it('is caught line by line where the renderer would silently drop it', () => {
    assert.deepEqual(mermaidProblems('flowchart LR\n  A[start] --> B[end]\n'), []);
    assert.deepEqual(mermaidProblems('stateDiagram-v2\n  [*] --> LISTEN\n  LISTEN --> SYN_RCVD: SYN\n'), []);
    assert.deepEqual(mermaidProblems('flowchart LR\n  A[start --> B'), ['line 2: "A[start --> B" has an unclosed bracket (expected "]")']);
    assert.deepEqual(mermaidProblems('flowchart LR\n  A --> B\n  this is junk'), ['line 3: "this is junk" is neither a node, an edge ("A --> B") nor a keyword']);
    assert.deepEqual(mermaidProblems('flowchart LR\n  A -->'), ['line 2: "A -->" ends with an arrow that points nowhere']);
    assert.deepEqual(mermaidProblems('flowchart\n  A --> B'), ['line 1: "flowchart" needs a direction: flowchart TD, TB, LR, BT or RL']);
    assert.deepEqual(mermaidProblems('sequenceDiagram\n  Note over A: first\n  A->>B: hi'), ['line 2: a note before the first message is not drawn; move it after a message']);
  });

  it('named by a lesson fails the build, naming the lesson, the figure and what to add', async () => {
    mkdirSync(join(ROOT, '.test-builds'), { recursive: true });
    const out = mkdtempSync(join(ROOT, '.test-builds', 'bad-figure-'));
    after(() => rmSync(out, { recursive: true, force: true }));
    const result = await run(`${join(ROOT, 'node_modules/.bin/astro')} build --outDir ${out}`, {
      cwd: ROOT,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', SOCKETLAB_LESSONS_DIR: join(import.meta.dirname, 'fixtures/bad-figure') },
      timeoutMs: 300_000,
    });
    const output = stripVTControlCharacters(result.stdout + result.stderr);
    assert.notEqual(result.code, 0, 'the build should fail');
    assert.match(output, /<Figure name="no-such-figure"> in [^\n]*tcp-bad-figure\.mdx: no figure file: add content\/figures\/no-such-figure\.mmd/);
  });
});
