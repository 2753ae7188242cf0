/**
 * The JavaScript a lesson or exercise page ships before the learner opens the lab: at most 60 KB gzip.
 * Counts every script the built page loads up front (inline module scripts, script src, and the
 * static imports those pull in, transitively); dynamic import() chunks (the lab app, xterm.js, the
 * editor, search) load on demand and are not counted. Prints the figure for every lesson page.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../support/examples.ts';

const BUDGET_BYTES = 60 * 1024;
const CLIENT = join(ROOT, 'dist/client');

/** Static imports in built (minified) JS: `import"./x.js"` and `import{a}from"./x.js"`, not `import("./x.js")`. */
function staticImports(code: string): string[] {
  return [...code.matchAll(/(?:^|[;\s}])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g)].map((m) => m[1]!);
}

function upfrontScripts(html: string): { inline: string[]; files: Set<string> } {
  const inline: string[] = [];
  const files = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const [, attrs = '', body = ''] = m;
    if (/type="application\/(ld\+)?json"/.test(attrs)) continue;
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (src) files.add(src);
    else if (body.trim()) {
      inline.push(body);
      for (const imported of staticImports(body)) files.add(imported);
    }
  }
  for (const m of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(m[1]!);
  // Follow static imports between chunks.
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const code = readFileSync(join(CLIENT, file), 'utf8');
    for (const imported of staticImports(code)) {
      const resolved = new URL(imported, `http://x${file}`).pathname;
      if (!files.has(resolved)) {
        files.add(resolved);
        queue.push(resolved);
      }
    }
  }
  return { inline, files };
}

/** Every page with a lab: the lessons and the exercises. */
const lessonPages = existsSync(CLIENT)
  ? [
      ...readdirSync(join(ROOT, 'content/lessons')).filter((f) => f.endsWith('.mdx')).map((f) => f.replace(/\.mdx$/, '')),
      ...readdirSync(join(ROOT, 'content/exercises')).filter((d) => !d.startsWith('_')).map((d) => `exercises/${d}`),
    ]
  : [];

describe('JavaScript budget before the lab opens', () => {
  it('the built site exists', () => assert.ok(existsSync(join(CLIENT, 'index.html')), 'no built site: run `npm run build` first (./socketlab test does)'));

  for (const slug of lessonPages) {
    it(`/${slug}/ loads at most 60 KB gzip of JavaScript up front, and no terminal code`, () => {
      const html = readFileSync(join(CLIENT, slug, 'index.html'), 'utf8');
      const { inline, files } = upfrontScripts(html);
      const sources = [...inline, ...[...files].map((f) => readFileSync(join(CLIENT, f), 'utf8'))];
      const gzipped = sources.reduce((sum, code) => sum + gzipSync(code).length, 0);
      console.log(`/${slug}/: ${(gzipped / 1024).toFixed(1)} KB gzip up front (${files.size} files, ${inline.length} inline scripts; budget ${BUDGET_BYTES / 1024} KB)`);
      assert.ok(gzipped <= BUDGET_BYTES, `/${slug}/ ships ${gzipped} bytes gzip of JavaScript before the lab opens; the budget is ${BUDGET_BYTES}. Files: ${[...files].join(', ')}`);
      const terminalCode = sources.filter((code) => code.includes('xterm-helper-textarea') || code.includes('EditorView'));
      assert.equal(terminalCode.length, 0, 'xterm.js or CodeMirror is loaded before the lab opens');
    });
  }
});
