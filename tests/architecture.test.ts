/**
 * The folder tree is the architecture, and this test keeps it: it reads every import of our
 * TypeScript, JavaScript and Astro sources (type-only imports too: a type is a dependency) and
 * checks the rules README.md's "What is where" states. A failure names the importing file, what it
 * imports and the rule it breaks.
 *
 *   wire/        the contract both sides import: nothing of ours, no node: module
 *   sandbox/     the drivers: only wire/ of ours (a logger and settings are passed in)
 *   server/      the one Node process: wire/, sandbox/, and of the site only src/catalog/, src/schemas/
 *   src/client/  browser code: only wire/ and itself (no node: module)
 *   src/         the site: server/classroom/ is all it may reach of the server (pages run in it)
 *   server/classroom/  the classroom domain: no route, no lab
 *   server/microscope/ the lab microscope: only server/labs/, the server's log, metrics and config, sandbox/, wire/
 * and no import circles anywhere.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE = /\.(ts|mts|mjs|js|astro)$/;
const FOLDERS = ['wire', 'sandbox', 'server', 'src', 'tests', 'bench', 'scripts', 'content/exercises'];

interface Import {
  /** What the source says: './x.ts', 'node:fs', 'zod'. */
  specifier: string;
  /** The imported file relative to the repository, for our own modules; null for packages. */
  target: string | null;
}

function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE.test(f) && !f.includes('node_modules') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

// `import x from '...'`, `import type { X } from '...'`, `export { x } from '...'`, `import '...'`,
// `import('...')` and `new URL('...', import.meta.url)` (workers): every way our code names a module.
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"],\s*import\.meta\.url/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = (m[1] ?? m[2] ?? m[3] ?? m[4])!.split('?')[0]!;
    const target = specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : null;
    found.push({ specifier, target });
  }
  return found;
}

const files = FOLDERS.flatMap(sources);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const under = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

interface Rule {
  name: string;
  applies: (file: string) => boolean;
  allows: (imp: Import, file: string) => boolean;
}

const ours = (imp: Import) => imp.target !== null;
const RULES: Rule[] = [
  {
    name: 'wire/ imports nothing of ours but wire/, and no node: module (the browser imports it)',
    applies: (f) => under(f, 'wire'),
    allows: (imp) => (ours(imp) ? under(imp.target!, 'wire') : !imp.specifier.startsWith('node:')),
  },
  {
    name: 'sandbox/ imports only wire/ of ours (drivers get their logger and settings passed in)',
    applies: (f) => under(f, 'sandbox'),
    allows: (imp) => !ours(imp) || under(imp.target!, 'sandbox') || under(imp.target!, 'wire'),
  },
  {
    name: 'src/client/ (browser code) imports only wire/ and itself, and no node: module',
    applies: (f) => under(f, 'src/client'),
    allows: (imp) => (ours(imp) ? under(imp.target!, 'src/client') || under(imp.target!, 'wire') : !imp.specifier.startsWith('node:')),
  },
  {
    name: 'server/ imports of the site only src/catalog/ and src/schemas/',
    applies: (f) => under(f, 'server'),
    allows: (imp) => !ours(imp) || !under(imp.target!, 'src') || under(imp.target!, 'src/catalog') || under(imp.target!, 'src/schemas'),
  },
  {
    name: 'the site (src/) reaches the server only through server/classroom/ (its on-demand pages run in it)',
    applies: (f) => under(f, 'src') && !under(f, 'src/client'),
    allows: (imp) => !ours(imp) || !under(imp.target!, 'server') || under(imp.target!, 'server/classroom'),
  },
  {
    name: 'the classroom domain (server/classroom/) imports no route and no lab',
    applies: (f) => under(f, 'server/classroom'),
    allows: (imp) => !ours(imp) || !(under(imp.target!, 'server/routes') || under(imp.target!, 'server/labs') || imp.target === 'server/main.ts'),
  },
  {
    name: 'the microscope (server/microscope/) imports of ours only server/labs/, log, metrics, config, sandbox/ and wire/',
    applies: (f) => under(f, 'server/microscope'),
    allows: (imp) =>
      !ours(imp) ||
      ['server/microscope', 'server/labs', 'sandbox', 'wire'].some((folder) => under(imp.target!, folder)) ||
      ['server/log.ts', 'server/metrics.ts', 'server/config.ts'].includes(imp.target!),
  },
  {
    name: 'the labs (server/labs/) know nothing of the microscope that watches them',
    applies: (f) => under(f, 'server/labs'),
    allows: (imp) => !ours(imp) || !under(imp.target!, 'server/microscope'),
  },
  {
    name: 'nothing but tests and benchmarks imports tests/ or bench/',
    applies: (f) => !under(f, 'tests') && !under(f, 'bench'),
    allows: (imp) => !ours(imp) || !(under(imp.target!, 'tests') || under(imp.target!, 'bench')),
  },
];

/** Every import circle, each as the files around it (Tarjan's strongly connected components). */
function circles(): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    indices.set(file, index);
    low.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const { target } of graph.get(file) ?? []) {
      if (target === null || !graph.has(target)) continue;
      if (!indices.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, indices.get(target)!));
    }
    if (low.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = graph.get(file)!.some((imp) => imp.target === file);
      if (component.length > 1 || selfImport) found.push(component.reverse());
    }
  };
  for (const file of graph.keys()) if (!indices.has(file)) visit(file);
  return found;
}

describe('the architecture', () => {
  it('reads the sources it checks', () => {
    for (const folder of ['wire', 'sandbox', 'server', 'src/client']) {
      assert.ok(files.some((f) => under(f, folder)), `no sources found under ${folder}/`);
    }
    const relative = [...graph.values()].flat().filter((imp) => imp.target !== null);
    assert.ok(relative.length > 200, `only ${relative.length} imports of our own modules were found: the import reader is broken`);
    const missing = [...graph].flatMap(([file, imps]) => imps.filter((imp) => imp.target && !existsSync(join(ROOT, imp.target))).map((imp) => `${file} imports ${imp.specifier}, which does not exist`));
    assert.deepEqual(missing, []);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const broken = [...graph]
        .filter(([file]) => rule.applies(file))
        .flatMap(([file, imps]) => imps.filter((imp) => !rule.allows(imp, file)).map((imp) => `${file} imports ${imp.specifier}`));
      assert.deepEqual(broken, [], `${rule.name}; broken by:\n${broken.join('\n')}`);
    });
  }

  it('has no import circles', () => {
    const found = circles();
    assert.deepEqual(found, [], `import circles:\n${found.map((c) => c.join(' -> ')).join('\n')}`);
  });
});
