/**
 * What a lesson's `<Run>` block types into the lab, per language: `cd` to the language's example
 * folder, build what it runs, run it. A block that names a program or terminal that does not
 * exist, or a failure pattern that is not a regular expression, fails the build saying so.
 */
import { getProgram, listDirs, SANDBOX_EXAMPLES_DIR } from './examples.ts';
import { LANGS, type Lang, type Topic } from './topics.ts';

export interface RunBlockSpec {
  topic: Topic | 'compare';
  terminal: string;
  program?: string | undefined;
  commands?: string | undefined;
  stop: string[];
  failure?: string | undefined;
  /** The lesson's terminals (frontmatter), when known: `terminal` and `stop` must be among them. */
  lessonTerminals?: string[] | undefined;
}

export interface RunBlock {
  lang: Lang;
  /** The folder the commands run in, as the learner sees it: `~/examples/tcp/go`. */
  folder: string;
  lines: string[];
}

const RUN_PLACEHOLDER = /\{run:([a-z0-9-]+)\}/g;

function fail(spec: RunBlockSpec, problem: string): never {
  throw new Error(`<Run topic="${spec.topic}" terminal="${spec.terminal}">: ${problem}`);
}

function check(spec: RunBlockSpec): string[] {
  if ((spec.program === undefined) === (spec.commands === undefined)) fail(spec, 'give exactly one of `program` (an example to build and start) or `commands` (shell lines).');
  for (const name of [spec.terminal, ...spec.stop]) {
    if (!/^[a-z0-9-]{1,32}$/.test(name)) fail(spec, `"${name}" is not a terminal name (lowercase letters, digits and dashes).`);
    if (spec.lessonTerminals && !spec.lessonTerminals.includes(name)) fail(spec, `the lesson has no terminal "${name}"; its frontmatter lists: ${spec.lessonTerminals.join(', ') || 'none'}.`);
  }
  if (spec.failure !== undefined) {
    try {
      new RegExp(spec.failure, 'i');
    } catch (err) {
      fail(spec, `failure="${spec.failure}" is not a regular expression (${(err as Error).message}).`);
    }
  }
  const used = spec.program !== undefined ? [spec.program] : [...spec.commands!.matchAll(RUN_PLACEHOLDER)].map((m) => m[1]!);
  return [...new Set(used)];
}

/** The block in every language that has every program it runs (C, Go, TypeScript order). */
export function runBlockInEveryLang(spec: RunBlockSpec): RunBlock[] {
  const programs = check(spec);
  const dirs = listDirs();
  const langs = LANGS.filter((lang) => dirs.includes(`${spec.topic}/${lang}`));
  if (langs.length === 0) fail(spec, `there are no examples for topic "${spec.topic}" (examples that exist: ${dirs.join(', ')}).`);
  const having = langs.filter((lang) => programs.every((name) => hasProgram(spec.topic, lang, name)));
  // None has them all: let getProgram fail the build, naming the programs that do exist.
  if (having.length === 0) for (const name of programs) for (const lang of langs) getProgram(spec.topic, lang, name);
  return having.map((lang) => blockFor(spec, lang, programs));
}

function hasProgram(topic: Topic | 'compare', lang: Lang, name: string): boolean {
  try {
    getProgram(topic, lang, name);
    return true;
  } catch {
    return false;
  }
}

function blockFor(spec: RunBlockSpec, lang: Lang, programs: string[]): RunBlock {
  // A shown program's commands are: cd to its folder, its builds, its start command.
  const shown = new Map(programs.map((name) => [name, getProgram(spec.topic, lang, name).commands]));
  const builds = [...new Set([...shown.values()].flatMap((commands) => commands.slice(1, -1)))];
  const start = (name: string) => shown.get(name)!.at(-1)!;
  const body = spec.program !== undefined
    ? [start(spec.program)]
    : spec.commands!.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line) => line.replace(RUN_PLACEHOLDER, (_, name: string) => start(name)));
  const folder = `${SANDBOX_EXAMPLES_DIR}/${spec.topic}/${lang}`;
  return { lang, folder, lines: [`cd ${folder}`, ...builds, ...body] };
}
