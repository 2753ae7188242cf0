import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { lessonFields, requireLessonFields } from './schemas/lesson.ts';
import { exerciseFields } from './schemas/exercise.ts';

export const collections = {
  // Starlight renders the `docs` collection; ours is read from the top-level content/lessons folder.
  docs: defineCollection({
    loader: glob({ base: process.env.SOCKETLAB_LESSONS_DIR ?? './content/lessons', pattern: '**/[^_]*.{md,mdx}' }),
    schema: (context) =>
      requireLessonFields(docsSchema({ extend: lessonFields.partial() })(context)).transform((page) => ({
          ...page,
          description: page.description ?? page.summary,
          sidebar: { ...page.sidebar, order: page.sidebar.order ?? page.order },
        })),
  }),
  // One statement per exercise folder: content/exercises/<id>/exercise.mdx, with the id as the entry id.
  exercises: defineCollection({
    loader: glob({
      base: process.env.SOCKETLAB_EXERCISES_DIR ?? './content/exercises',
      pattern: '[^_]*/exercise.mdx',
      generateId: ({ entry }) => entry.split('/')[0]!,
    }),
    schema: exerciseFields,
  }),
};
