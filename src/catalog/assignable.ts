/** The exercises an instructor can assign, in course order, from the site's content collection. */
import { getCollection } from 'astro:content';
import { DIFFICULTY_LABELS } from './labels.ts';
import { TOPIC_LABELS } from './topics.ts';

export interface CatalogEntry {
  id: string;
  title: string;
  label: string;
}

export async function exerciseCatalog(): Promise<CatalogEntry[]> {
  const entries = (await getCollection('exercises')).sort((a, b) => a.data.order - b.data.order);
  return entries.map((e) => ({ id: e.id, title: e.data.title, label: `${e.data.title} (${TOPIC_LABELS[e.data.topic]}, ${DIFFICULTY_LABELS[e.data.difficulty]})` }));
}
