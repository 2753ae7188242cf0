/**
 * The example programs as the tests see them: each manifest read from disk and validated with the
 * same schema the site uses, and a private built copy of each folder to run.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { manifestSchema, type Manifest } from '../../src/catalog/example-manifest.ts';
import { formatIssues } from '../../src/schemas/error-map.ts';
import { run } from './processes.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLES = join(ROOT, 'content/examples');

export interface ExampleDir {
  topic: string;
  lang: string;
  /** Absolute path of the folder in content/examples. */
  path: string;
  manifest: Manifest;
}

export function loadExample(topic: string, lang: string): ExampleDir {
  const path = join(EXAMPLES, topic, lang);
  const file = join(path, 'example.json');
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is invalid:\n${formatIssues(parsed.error.issues)}`);
  return { topic, lang, path, manifest: parsed.data };
}

/** Every folder under content/examples that has a manifest. */
export function allExamples(): ExampleDir[] {
  const found: ExampleDir[] = [];
  for (const topic of readdirSync(EXAMPLES, { withFileTypes: true })) {
    if (!topic.isDirectory()) continue;
    for (const lang of readdirSync(join(EXAMPLES, topic.name), { withFileTypes: true })) {
      if (lang.isDirectory() && existsSync(join(EXAMPLES, topic.name, lang.name, 'example.json'))) {
        found.push(loadExample(topic.name, lang.name));
      }
    }
  }
  return found;
}

/** The environment programs run with: the toolchains on PATH, nothing else of ours. */
export const programEnv: NodeJS.ProcessEnv = {
  PATH: ['/usr/lib/go-1.23/bin', '/usr/local/bin', process.env.PATH ?? '/usr/bin:/bin'].join(':'),
  HOME: process.env.HOME ?? tmpdir(),
  LANG: 'C.UTF-8',
  ...(process.env.GOCACHE ? { GOCACHE: process.env.GOCACHE } : {}),
};

const built = new Map<string, Promise<string>>();

/**
 * Copies an example folder to a fresh temporary folder, runs its checks and build commands there,
 * and resolves with the folder. Done once per example per test process. Any output from a build
 * command on stderr that mentions a warning fails (C builds use -Werror; this also catches tools
 * that warn without failing).
 */
export function prepare(example: ExampleDir): Promise<string> {
  const key = example.path;
  let ready = built.get(key);
  if (!ready) {
    ready = (async () => {
      const work = mkdtempSync(join(tmpdir(), `sl-${example.topic}-${example.lang}-`));
      cpSync(example.path, work, { recursive: true });
      // TypeScript examples import npm packages (unix-dgram); resolve them from the project.
      symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
      for (const command of [...example.manifest.check, ...example.manifest.build]) {
        const result = await run(command, { cwd: work, env: programEnv, timeoutMs: 120_000 });
        if (result.code !== 0 || /warning/i.test(result.stderr)) {
          throw new Error(`"${command}" in ${example.topic}/${example.lang} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
        }
      }
      return work;
    })();
    built.set(key, ready);
  }
  return ready;
}

export interface Placeholders {
  port: number;
  socket: string;
}

export function fill(command: string, values: Placeholders): string {
  return command.replaceAll('{port}', String(values.port)).replaceAll('{socket}', values.socket);
}

/** A socket path unique to this run, short enough for sun_path (108 bytes). */
export function uniqueSocketPath(topic: string): string {
  return join(mkdtempSync('/tmp/sl-'), `${topic}.sock`);
}
