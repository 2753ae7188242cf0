/**
 * The example programs as the site sees them: every manifest and source file under
 * content/examples, bundled at build time by Vite. A lesson that names a program that does not
 * exist fails the build here, naming what it asked for and what exists.
 */
import { manifestSchema, PAGE_PLACEHOLDERS, type Manifest, type Program } from './example-manifest.ts';
import { LANGS, type Lang, type Topic } from './topics.ts';
import { formatIssues } from '../schemas/error-map.ts';

const manifestFiles = import.meta.glob<unknown>('/content/examples/*/*/example.json', { eager: true, import: 'default' });
const sourceFiles = import.meta.glob<string>('/content/examples/*/*/*.{c,go,ts,h}', {
  eager: true,
  query: '?raw',
  import: 'default',
});

/** Where the sandbox keeps the examples, as the learner sees it in a terminal. */
export const SANDBOX_EXAMPLES_DIR = '~/examples';

const CODE_LANG: Record<string, string> = { c: 'c', h: 'c', go: 'go', ts: 'ts' };

export interface ShownProgram {
  topic: string;
  lang: Lang;
  program: Program;
  /** Path relative to content/examples, e.g. `tcp/c/server.c`. */
  path: string;
  code: string;
  codeLang: string;
  /** Shell lines that build (if needed) and start the program, with the page's placeholder values. */
  commands: string[];
}

function loadManifest(dir: string): Manifest {
  const file = `/content/examples/${dir}/example.json`;
  const raw = manifestFiles[file];
  if (raw === undefined) {
    throw new Error(`No example manifest at content/examples/${dir}/example.json. Examples that exist: ${listDirs().join(', ')}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`content/examples/${dir}/example.json is invalid:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function listDirs(): string[] {
  return Object.keys(manifestFiles).map((f) => f.replace('/content/examples/', '').replace('/example.json', '')).sort();
}

export function fillPlaceholders(command: string, topic: string): string {
  return command.replaceAll('{port}', PAGE_PLACEHOLDERS.port).replaceAll('{socket}', PAGE_PLACEHOLDERS.socket(topic));
}

/** The build commands that produce one program: those that name its source file. */
export function buildCommandsFor(manifest: Manifest, program: Program): string[] {
  return manifest.build.filter((cmd) => cmd.split(/\s+/).includes(program.source));
}

export function getProgram(topic: Topic | 'compare', lang: Lang, name: string): ShownProgram {
  const dir = `${topic}/${lang}`;
  const manifest = loadManifest(dir);
  const program = manifest.programs.find((p) => p.name === name);
  if (!program) {
    const names = manifest.programs.map((p) => p.name).join(', ');
    throw new Error(`Example ${dir} has no program "${name}" (it has: ${names}). Check the lesson's <Example>/<Run> tags.`);
  }
  const path = `${dir}/${program.source}`;
  const code = sourceFiles[`/content/examples/${path}`];
  if (code === undefined) throw new Error(`content/examples/${dir}/example.json names ${program.source}, but content/examples/${path} does not exist.`);
  const ext = program.source.split('.').pop() ?? '';
  return {
    topic,
    lang,
    program,
    path,
    code,
    codeLang: CODE_LANG[ext] ?? 'text',
    commands: [
      `cd ${SANDBOX_EXAMPLES_DIR}/${dir}`,
      ...buildCommandsFor(manifest, program),
      fillPlaceholders(program.run, topic),
    ],
  };
}

/**
 * A program in every language that has it, in course order (C, Go, TypeScript). Most programs
 * exist in all three; a few demos (udp's `truncate`) only in one. Fails the build if none has it.
 */
export function programInEveryLang(topic: Topic | 'compare', name: string): ShownProgram[] {
  const langs = LANGS.filter((lang) => `/content/examples/${topic}/${lang}/example.json` in manifestFiles);
  if (langs.length === 0) throw new Error(`There are no examples for topic "${topic}" (examples that exist: ${listDirs().join(', ')}).`);
  const having = langs.filter((lang) => loadManifest(`${topic}/${lang}`).programs.some((p) => p.name === name));
  if (having.length === 0) return [getProgram(topic, langs[0]!, name)]; // throws, naming the programs that do exist
  return having.map((lang) => getProgram(topic, lang, name));
}
