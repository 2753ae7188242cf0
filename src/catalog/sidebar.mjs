// @ts-check
/**
 * The sidebar's "Exercises" group, read from content/exercises/<id>/exercise.mdx when the site is
 * built (astro.config.mjs runs before the content collections exist): the list page first, then
 * every exercise by its `order`. The frontmatter itself is validated by src/schemas/exercise.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} dir the exercises folder */
export function exerciseSidebar(dir) {
  const items = [];
  for (const id of existsSync(dir) ? readdirSync(dir) : []) {
    const file = join(dir, id, 'exercise.mdx');
    if (id.startsWith('_') || !existsSync(file)) continue;
    const head = /^---\n([\s\S]*?)\n---/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    const title = /^title:\s*(.+)$/m.exec(head)?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2') ?? id;
    const order = Number(/^order:\s*(\d+)/m.exec(head)?.[1] ?? 999);
    items.push({ label: title, link: `/exercises/${id}/`, order });
  }
  items.sort((a, b) => a.order - b.order);
  return {
    label: 'Exercises',
    items: [{ label: 'All exercises', link: '/exercises/' }, ...items.map(({ label, link }) => ({ label, link }))],
  };
}
