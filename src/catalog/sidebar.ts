/**
 * The sidebar's "Exercises" group, for astro.config.mjs: the list page first, then every exercise
 * by its `order`, titled as its statement says (read by ./exercise-statement.ts, with the content
 * collection's schema: the config runs before the collections exist).
 */
import { readStatements } from './exercise-statement.ts';

export function exerciseSidebar(dir: string) {
  return {
    label: 'Exercises',
    items: [{ label: 'All exercises', link: '/exercises/' }, ...readStatements(dir).map((s) => ({ label: s.title, link: `/exercises/${s.id}/` }))],
  };
}
