/**
 * An Astro integration that writes a Brotli (`.br`) and a gzip (`.gz`) copy next to every text
 * file of the built site, once, at the highest settings: the server (server/static-files.ts) sends
 * the copy a browser accepts instead of compressing the same file again for every visitor.
 *
 * It runs after every other integration's build step (it is listed last in astro.config.mjs), so
 * Pagefind's search files are compressed too. A copy that would not be smaller is not written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { AstroIntegration } from 'astro';

/** Text files worth compressing; images, fonts and Pagefind's index are compressed already. */
export const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.txt', '.xml', '.map', '.webmanifest']);
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 512;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function precompressFile(file: string): Promise<number> {
  const original = await readFile(file);
  if (original.length < MIN_BYTES) return 0;
  const [br, gz] = await Promise.all([
    brotli(original, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: original.length } }),
    gzipAsync(original, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  let written = 0;
  for (const [suffix, copy] of [['.br', br], ['.gz', gz]] as const) {
    if (copy.length < original.length) {
      await writeFile(file + suffix, copy);
      written++;
    }
  }
  return written;
}

/** Writes the compressed copies for every compressible file under `dir`; returns how many. */
export async function precompressDir(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && COMPRESSIBLE.has(extname(entry.name)))
    .map((entry) => join(entry.parentPath, entry.name));
  let written = 0;
  // A few at a time: zlib runs on libuv's thread pool, and the build machine may be small.
  for (let i = 0; i < files.length; i += 4) {
    for (const count of await Promise.all(files.slice(i, i + 4).map(precompressFile))) written += count;
  }
  return written;
}

export function precompress(): AstroIntegration {
  return {
    name: 'socketlab:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const started = Date.now();
        const written = await precompressDir(fileURLToPath(dir));
        logger.info(`${written} Brotli and gzip copies written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      },
    },
  };
}
