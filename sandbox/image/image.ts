/**
 * The name of the Docker driver's lab image. Its tag is a hash of everything the image is built
 * from (this folder and content/examples), so editing an example or the Dockerfile makes a new tag,
 * and the driver never runs labs from a stale image.
 *
 *   node sandbox/image/image.ts     prints the tag (build.sh uses it)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const IMAGE_REPOSITORY = 'socketlab-sandbox';

const ROOT = resolve(import.meta.dirname, '../..');
const INPUTS = ['sandbox/image', 'content/examples'];

export function sandboxImage(root = ROOT): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    const files = readdirSync(join(root, input), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  }
  return `${IMAGE_REPOSITORY}:${hash.digest('hex').slice(0, 12)}`;
}

if (import.meta.main) console.log(sandboxImage());
