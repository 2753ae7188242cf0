import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { lessonFields, requireLessonFields } from './schemas/lesson.ts';

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
};
