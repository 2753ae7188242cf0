/**
 * Builds the real site once and checks what a learner gets: every lesson page, every example in
 * all three languages with synced tabs, search, and no broken internal links. Also proves a lesson
 * with bad frontmatter fails the build with a message naming the file, the field and what is allowed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { LANG_LABELS, LANGS, TOPICS } from '../../src/catalog/topics.ts';
import { LESSON_TOPICS } from '../../src/schemas/lesson.ts';
import { run } from '../support/processes.ts';
import { ROOT, loadExample } from '../support/examples.ts';

const LESSONS = join(ROOT, 'content/lessons');
const astro = join(ROOT, 'node_modules/.bin/astro');
const buildEnv = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };

interface Lesson {
  slug: string;
  file: string;
  frontmatter: string;
  body: string;
}

function readLessons(): Lesson[] {
  return readdirSync(LESSONS)
    .filter((f) => f.endsWith('.mdx'))
    .map((file) => {
      const text = readFileSync(join(LESSONS, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      assert.ok(match, `${file} has no frontmatter`);
      return { slug: file.replace(/\.mdx$/, ''), file, frontmatter: match[1]!, body: match[2]! };
    });
}

function field(lesson: Lesson, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(lesson.frontmatter)?.[1]?.trim();
}

/** Every .html file under `dir`, as paths relative to it. */
function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
}

describe('lesson sources', () => {
  const lessons = readLessons();

  it('cover the introduction, every core topic and the comparison', () => {
    const topics = new Set(lessons.map((l) => field(l, 'topic')));
    for (const topic of LESSON_TOPICS) assert.ok(topics.has(topic), `no lesson has topic: ${topic}`);
  });

  it('have distinct orders and prerequisites that exist and come earlier', () => {
    const orders = new Map(lessons.map((l) => [l.slug, Number(field(l, 'order'))]));
    assert.equal(new Set(orders.values()).size, lessons.length, 'two lessons share an order');
    for (const lesson of lessons) {
      const block = /^prerequisites:\n((?:\s+- .+\n?)*)/m.exec(lesson.frontmatter)?.[1] ?? '';
      const inline = /^prerequisites:\s*\[(.*)\]/m.exec(lesson.frontmatter)?.[1] ?? '';
      const prereqs = [...block.matchAll(/- (\S+)/g)].map((m) => m[1]!).concat(inline.split(',').map((s) => s.trim()).filter(Boolean));
      for (const p of prereqs) {
        assert.ok(orders.has(p), `${lesson.file}: prerequisite "${p}" is not a lesson`);
        assert.ok(orders.get(p)! < orders.get(lesson.slug)!, `${lesson.file}: prerequisite "${p}" comes later in the course`);
      }
    }
  });

  it('paste no program code: C, Go and TypeScript come from content/examples', () => {
    for (const lesson of lessons) {
      const pasted = /^\s*```(c|go|ts|typescript|js)\b/m.exec(lesson.body);
      assert.equal(pasted, null, `${lesson.file} has a \`\`\`${pasted?.[1]} block; use <Example> to show a file from content/examples`);
    }
  });

  it('only name example programs that exist', () => {
    for (const lesson of lessons) {
      for (const tag of lesson.body.matchAll(/<(?:Example|Run)\s+topic="([^"]+)"\s+program="([^"]+)"/g)) {
        const [, topic, program] = tag;
        const having = LANGS.filter(
          (lang) =>
            existsSync(join(ROOT, 'content/examples', topic!, lang, 'example.json')) &&
            loadExample(topic!, lang).manifest.programs.some((p) => p.name === program),
        );
        assert.ok(having.length > 0, `${lesson.file}: no example folder of topic "${topic}" has a program "${program}"`);
      }
    }
  });
});

/** A build folder inside the project: the server half of the build resolves packages from node_modules. */
function buildDir(prefix: string): string {
  mkdirSync(join(ROOT, '.test-builds'), { recursive: true });
  return mkdtempSync(join(ROOT, '.test-builds', prefix));
}

describe('the built site', () => {
  const out = buildDir('site-');
  const dist = join(out, 'client'); // the pages; out/server holds the Node adapter's half

  before(async () => {
    const result = await run(`${astro} build --outDir ${out}`, { cwd: ROOT, env: buildEnv, timeoutMs: 300_000 });
    assert.equal(result.code, 0, `astro build failed:\n${result.stderr}\n${result.stdout.slice(-4000)}`);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('has a page for every lesson', () => {
    for (const lesson of readLessons()) {
      assert.ok(existsSync(join(dist, lesson.slug, 'index.html')), `no page for ${lesson.file}`);
    }
  });

  it('shows each core example in C, Go and TypeScript as synced language tabs', () => {
    for (const topic of TOPICS) {
      const lesson = readLessons().find((l) => field(l, 'topic') === topic);
      assert.ok(lesson, `no lesson for ${topic}`);
      const html = readFileSync(join(dist, lesson.slug, 'index.html'), 'utf8');
      assert.match(html, /<starlight-tabs[^>]*data-sync-key="lang"/, `${lesson.file}: no synced language tabs`);
      for (const lang of LANGS) {
        assert.ok(html.includes(`>${LANG_LABELS[lang]}<`) || html.includes(`${LANG_LABELS[lang]}</a>`), `${lesson.file}: no ${LANG_LABELS[lang]} tab`);
        // The page must show the real file: its first distinctive line appears in the highlighted code.
        const example = loadExample(topic, lang);
        const server = example.manifest.programs.find((p) => p.name === 'server')!;
        assert.ok(html.includes(`examples/${topic}/${lang}/${server.source}`), `${lesson.file}: does not show ${topic}/${lang}/${server.source}`);
      }
    }
  });

  it('has a search index covering the lessons', () => {
    assert.ok(existsSync(join(dist, 'pagefind', 'pagefind.js')), 'no Pagefind bundle');
    const indexed = readdirSync(join(dist, 'pagefind'), { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('fragment'));
    assert.ok(indexed.length >= readLessons().length, `Pagefind indexed ${indexed.length} fragments for ${readLessons().length} lessons`);
  });

  it('has no broken internal links', () => {
    // Links to on-demand pages (the classroom) have no file: they must match a page that renders on demand.
    const pages = join(ROOT, 'src/pages');
    const onDemand = readdirSync(pages, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(astro|ts)$/.test(f) && /export const prerender = false/.test(readFileSync(join(pages, f), 'utf8')))
      .map((f) => new RegExp(`^/${f.replace(/(^|\/)index\.astro$/, '$1').replace(/\.astro$/, '/').replace(/\.ts$/, '').replace(/\[[^\]]+\]/g, '[^/]+')}$`));
    assert.ok(onDemand.some((route) => route.test('/classes/')), 'the classroom\'s pages are found');
    const broken: string[] = [];
    for (const page of htmlFiles(dist)) {
      const html = readFileSync(join(dist, page), 'utf8');
      for (const [, href] of html.matchAll(/\shref="(\/[^"#?]*)[^"]*"/g)) {
        const target = join(dist, decodeURI(href!));
        const ok = (existsSync(target) && (!href!.endsWith('/') || existsSync(join(target, 'index.html')))) || onDemand.some((route) => route.test(href!));
        if (!ok) broken.push(`${relative(dist, join(dist, page))} -> ${href}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

describe('bad lesson frontmatter', () => {
  it('fails the build naming the file, the field and what is allowed', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures/bad-frontmatter');
    const out = buildDir('bad-');
    after(() => rmSync(out, { recursive: true, force: true }));
    const result = await run(`${astro} build --outDir ${out}`, {
      cwd: ROOT,
      env: { ...buildEnv, SOCKETLAB_LESSONS_DIR: fixtures },
      timeoutMs: 300_000,
    });
    // Astro colours its output when CI is set, even into a pipe; compare the plain text.
    const output = stripVTControlCharacters(result.stdout + result.stderr);
    assert.notEqual(result.code, 0, 'the build should fail');
    assert.match(output, /udp-broken\.mdx/, 'the message names the file');
    // Every lesson topic, in course order: the list grows with the course (src/catalog/topics.ts).
    const allowed = LESSON_TOPICS.map((topic) => `"${topic}"`).join('|');
    assert.ok(output.includes(`topic: Invalid option: expected one of ${allowed}`), `the message names the field and the allowed values (${allowed}):\n${output}`);
    assert.match(output, /minutes: missing; every lesson needs it/, 'a missing field is named too');
  });
});

describe('a bad <Run> block', () => {
  it('fails the build naming the page, the block and what the lesson has', async () => {
    const out = buildDir('bad-run-');
    after(() => rmSync(out, { recursive: true, force: true }));
    const result = await run(`${astro} build --outDir ${out}`, {
      cwd: ROOT,
      env: { ...buildEnv, SOCKETLAB_LESSONS_DIR: join(import.meta.dirname, 'fixtures/bad-run') },
      timeoutMs: 300_000,
    });
    const output = stripVTControlCharacters(result.stdout + result.stderr);
    assert.notEqual(result.code, 0, 'the build should fail');
    assert.match(output, /tcp-bad-run/, 'the message names the page');
    assert.match(output, /<Run topic="tcp" terminal="clinet">: the lesson has no terminal "clinet"; its frontmatter lists: server, client\./);
  });
});
