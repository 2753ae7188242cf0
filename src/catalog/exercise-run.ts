/**
 * How an exercise page builds and runs the starter in the lab, per language: its folder in the
 * lab, its main file (what "Files" and "Edit" open) and the one command line of its Run button,
 * from the manifest's build and run commands (exercise.json). The run command's placeholders get
 * the values a learner would pick: a port, a socket path in /tmp, an abstract name.
 */
import { exerciseFiles, type ExerciseDef } from './exercise-manifest.ts';
import type { Lang } from './topics.ts';

const SOURCE_EXTENSION: Record<Lang, string> = { c: '.c', go: '.go', ts: '.ts' };

export interface StarterRun {
  /** Relative to the lab's home folder, e.g. exercises/tcp-echo/go. */
  folder: string;
  /** Relative to the home folder too, e.g. exercises/tcp-echo/go/server.go. */
  main: string;
  /** `cd` to the folder, build, and start the program: one line, each step only if the last worked. */
  command: string;
}

export function starterRun(def: ExerciseDef, lang: Lang): StarterRun {
  const entry = def.manifest.languages[lang];
  if (!entry) throw new Error(`content/exercises/${def.id}: no ${lang} in exercise.json`);
  const folder = `exercises/${def.id}/${lang}`;
  // The program's name is the run command's first word ("./server {port}") or its script ("node server.ts").
  const words = entry.run.split(/\s+/);
  const program = (words[0] === 'node' ? words[1]! : words[0]!).replace(/^\.\//, '').replace(/\.[a-z]+$/, '');
  const sources = exerciseFiles(def, 'starter', lang).map((f) => f.path).filter((p) => p.endsWith(SOURCE_EXTENSION[lang]));
  const main = sources.find((p) => p === `${program}${SOURCE_EXTENSION[lang]}`) ?? sources[0];
  if (!main) throw new Error(`content/exercises/${def.id}/starter/${lang} has no ${SOURCE_EXTENSION[lang]} file to open`);
  const run = entry.run.replaceAll('{port}', '9000').replaceAll('{socket}', `/tmp/${def.id}.sock`).replaceAll('{name}', def.id);
  return { folder, main: `${folder}/${main}`, command: [`cd ~/${folder}`, ...entry.build, run].join(' && ') };
}
