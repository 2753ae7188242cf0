/**
 * Frontmatter of a lesson (`content/lessons/*.mdx`). Every field says what it is for; a wrong or
 * missing field fails the build with a message naming the file, the field and what is allowed
 * (see src/schemas/error-map.ts).
 */
import { z } from 'astro/zod';
import { TOPICS } from '../catalog/topics.ts';

/** The topics a lesson can cover: the five core socket topics plus the course's framing pages. */
export const LESSON_TOPICS = ['intro', ...TOPICS, 'compare'] as const;

/** Languages a self-check question's code can be highlighted as. */
export const SELF_CHECK_LANGS = ['c', 'go', 'ts', 'sh'] as const;

/** A required text: missing says so and what to write, rather than zod's "expected string". */
const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `missing; write ${what}` : `must be text: ${what}`) });

const selfCheckOption = z.strictObject({
  text: text('the answer as the learner reads it').min(1, 'must be the answer as the learner reads it'),
  correct: z.boolean().optional().describe('true on the one right answer; leave it out on the others.'),
  why: text('why this answer is right or wrong, in a sentence').min(10, 'must explain in a sentence why this answer is right or wrong (at least 10 characters)'),
});

const selfCheckQuestion = z
  .strictObject({
    question: text('the question as a sentence').min(10, 'must be the question as a sentence (at least 10 characters)'),
    code: z.string().optional().describe('A short program or transcript the question is about, shown as a code block.'),
    lang: z.enum(SELF_CHECK_LANGS).optional().describe('How to highlight `code`.'),
    options: z
      .array(selfCheckOption)
      .min(2, 'must offer at least 2 answers')
      .max(5, 'must offer at most 5 answers'),
  })
  .refine((q) => q.options.filter((o) => o.correct === true).length === 1, {
    path: ['options'],
    message: 'must mark exactly one answer with "correct: true"',
    when: (payload) => Array.isArray((payload.value as { options?: unknown })?.options),
  });

export type SelfCheckQuestion = z.infer<typeof selfCheckQuestion>;

const slug = z.string().regex(/^[a-z0-9-]+$/, 'must be a lesson file name without extension, e.g. "tcp"');

export const lessonFields = z.object({
  summary: z
    .string()
    .min(20, 'must be a sentence of at least 20 characters')
    .max(200, 'must be at most 200 characters')
    .describe('One or two sentences on what the learner gets from this lesson; shown under the title and used as the page description.'),
  order: z
    .number()
    .int('must be a whole number')
    .min(0)
    .max(999)
    .describe('Position of the lesson in the course (0 = first); drives the sidebar and the next/previous links.'),
  topic: z.enum(LESSON_TOPICS).describe('Which part of the course this lesson belongs to.'),
  objectives: z
    .array(z.string().min(5))
    .min(1, 'must list at least one objective')
    .max(8)
    .describe('What the learner can do after the lesson, each starting with a verb ("Explain...", "Write...").'),
  prerequisites: z
    .array(slug)
    .default([])
    .describe('Lessons to read first, by file name (e.g. "tcp"); each must exist.'),
  minutes: z
    .number()
    .int('must be a whole number of minutes')
    .min(1)
    .max(240)
    .describe('Rough time to read the lesson and run its examples, in minutes.'),
  terminals: z
    .array(z.string().regex(/^[a-z0-9-]{1,32}$/, 'terminal names use a-z, 0-9 and "-" (1 to 32 characters)'))
    .max(4, 'a lesson can use at most 4 terminals')
    .default([])
    .describe('Terminals the lesson\'s live lab opens, e.g. ["server", "client", "client2"]; empty for no lab.'),
  labFolder: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*$/, 'must be a folder under the learner\'s home, e.g. "examples/tcp"')
    .optional()
    .describe('Folder of the lab the editor lists (relative to the learner\'s home); default examples/<topic>.'),
  selfCheck: z
    .array(selfCheckQuestion)
    .min(3, 'must have at least 3 questions')
    .max(6, 'must have at most 6 questions')
    .optional()
    .describe('Questions shown at the end of the lesson: { question, code?, lang?, options: [{ text, correct?, why }] }, exactly one option correct.'),
});

export type LessonFields = z.infer<typeof lessonFields>;

const REQUIRED_LESSON_FIELDS = ['summary', 'order', 'topic', 'objectives', 'minutes'] as const;

/**
 * Every page in content/lessons is a lesson and needs the lesson fields. Starlight also parses the
 * frontmatter of its own splash pages (the home and 404 pages) with this schema, so those are
 * exempt; that is why the fields are optional in the object and required here. `when` makes
 * each check run even when another field already failed, so one build reports every problem.
 */
export function requireLessonFields<T extends z.ZodType<Partial<LessonFields> & { template?: string }>>(schema: T): T {
  let checked = schema;
  for (const field of REQUIRED_LESSON_FIELDS) {
    const description = lessonFields.shape[field].description ?? '';
    checked = checked.refine((page) => page.template === 'splash' || page[field] !== undefined, {
      path: [field],
      message: `missing; every lesson needs it. ${description}`,
      when: () => true,
    }) as unknown as T;
  }
  return checked;
}
