/**
 * Keeps the renderer's output on disk by a hash of its input and the renderer's version, so a build
 * lays out only the diagrams that changed (the layout is most of a figure's cost). Only the
 * renderer's own output is kept: what the site does to it afterwards is always done afresh, so a
 * change to that can never be hidden by the cache. No cache when the folder cannot be written.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CACHE_DIR = process.env.SOCKETLAB_FIGURE_CACHE ?? join(process.cwd(), 'node_modules/.cache/socketlab-figures');

function rendererVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(join(process.cwd(), 'node_modules/beautiful-mermaid/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

const version = rendererVersion();

/** `render(input)`, or what it returned for the same input and renderer version before. */
export function cachedRender(kind: string, input: string, render: (input: string) => string): string {
  if (!version) return render(input);
  const file = join(CACHE_DIR, createHash('sha256').update(`${kind}\0${version}\0${input}`).digest('hex'));
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const output = render(input);
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(`${file}.${process.pid}`, output);
      renameSync(`${file}.${process.pid}`, file); // whole or not at all, with builds side by side
    } catch {
      // a read-only tree: render every time
    }
    return output;
  }
}
