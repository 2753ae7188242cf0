/**
 * The exercises the lab server offers (content/exercises/<id>/exercise.json, read through
 * src/catalog/exercise-manifest.ts), each read once and kept, and the checks of an exercise id and
 * language a request names, refused with the HTTP answer docs/protocol.md ("Exercises") gives.
 */
import { ApiError } from '../../wire/api-error.ts';
import { exerciseIds, ID, loadExercise, type ExerciseDef } from '../../src/catalog/exercise-manifest.ts';
import { LANGS, type Lang } from '../../src/catalog/topics.ts';

/** An exercise request refused or failed, with its HTTP answer. */
export class ExerciseError extends ApiError {}

const catalog = new Map<string, ExerciseDef>();

/** The exercise `id`, or 404 `no-exercise` naming the ones there are. */
export function exercise(id: string): ExerciseDef {
  const known = catalog.get(id);
  if (known) return known;
  if (!ID.test(id) || !exerciseIds().includes(id)) {
    throw new ExerciseError(404, 'no-exercise', `There is no exercise ${JSON.stringify(id.slice(0, 80))}; there are: ${exerciseIds().join(', ')}.`);
  }
  const def = loadExercise(id);
  catalog.set(id, def);
  return def;
}

/** `lang` when `def` is offered in it, else 400 `bad-lang` naming the languages it is offered in. */
export function language(def: ExerciseDef, lang: unknown): Lang {
  if (typeof lang === 'string' && (def.languages as string[]).includes(lang)) return lang as Lang;
  const offered = def.languages.map((l) => `"${l}"`).join(', ');
  const what = lang === undefined ? 'No "lang" was given' : `${JSON.stringify(lang).slice(0, 40)} is not a language of this exercise`;
  const known = (LANGS as readonly string[]).includes(String(lang)) ? '' : ` (languages are ${LANGS.slice(0, -1).join(', ')} and ${LANGS.at(-1)})`;
  throw new ExerciseError(400, 'bad-lang', `${what}; "${def.id}" is offered in ${offered}${known}.`);
}
