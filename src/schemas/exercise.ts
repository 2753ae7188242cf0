/**
 * Frontmatter of an exercise statement (`content/exercises/<id>/exercise.mdx`). Every field says
 * what it is for; a wrong or missing field fails the build naming the file, the field and what is
 * allowed, as lesson frontmatter does (see src/schemas/lesson.ts).
 */
import { z } from 'astro/zod';
import { LANGS, TOPICS } from '../catalog/topics.ts';

/** "missing; every exercise needs it. <what the field is>", for a field left out. */
const missing = (description: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `missing; every exercise needs it. ${description}` : undefined),
});

const TITLE = 'The exercise\'s name, shown as the page title and in the sidebar.';
const SUMMARY = 'One or two sentences on what the learner builds; shown under the title.';
const TOPIC = `Which core topic the exercise practises: one of ${TOPICS.join(', ')}.`;
const DIFFICULTY = '1 = easy, 2 = medium, 3 = hard.';
const ORDER = 'Position in the exercise list (sidebar), easy before hard.';
const MINUTES = 'Rough time to solve it, in minutes.';
const OBJECTIVES = 'What the learner practises, each starting with a verb.';
const LANGUAGES = `Languages the exercise is offered in (${LANGS.join(', ')}); each needs starter/<lang>, solution/<lang> and an entry in exercise.json.`;

export const exerciseFields = z.object({
  title: z.string(missing(TITLE)).min(3).max(80).describe(TITLE),
  summary: z
    .string(missing(SUMMARY))
    .min(20, 'must be a sentence of at least 20 characters')
    .max(200, 'must be at most 200 characters')
    .describe(SUMMARY),
  topic: z.enum(TOPICS, missing(TOPIC)).describe(TOPIC),
  difficulty: z
    .number(missing(DIFFICULTY))
    .int('must be a whole number')
    .min(1, 'must be 1 (easy), 2 (medium) or 3 (hard)')
    .max(3, 'must be 1 (easy), 2 (medium) or 3 (hard)')
    .describe(DIFFICULTY),
  order: z.number(missing(ORDER)).int('must be a whole number').min(0).max(999).describe(ORDER),
  minutes: z.number(missing(MINUTES)).int('must be a whole number of minutes').min(5).max(240).describe(MINUTES),
  objectives: z
    .array(z.string().min(5), missing(OBJECTIVES))
    .min(1, 'must list at least one objective')
    .max(6)
    .describe(OBJECTIVES),
  languages: z
    .array(z.enum(LANGS), missing(LANGUAGES))
    .min(1, 'must offer at least one language')
    .describe(LANGUAGES),
});

export type ExerciseFields = z.infer<typeof exerciseFields>;
