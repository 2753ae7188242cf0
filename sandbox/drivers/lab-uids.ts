/**
 * Host uids for bwrap labs: each running lab has one of its own, unique among the labs of every
 * server on the machine, so no lab can signal, trace or share a keyring with another. A uid is
 * taken by creating a symlink named after it in a root-owned folder (creating one is atomic and
 * fails if it exists, whichever server made it); the link's target names the server instance and
 * lab that hold it. The folder is on /run, which a reboot empties, as it ends every lab.
 */
import { readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { trustedFolder } from './host-folders.ts';

/** Host uids labs run as: bwrap labs' (here) and Docker labs' (docker.ts), apart so that these never meet either. */
export const LAB_HOST_UIDS = {
  bwrap: { first: 200_000, count: 100_000 },
  docker: { first: 300_000, count: 100_000 },
} as const;

export const UID_LOCKS_DIR = '/run/socketlab/lab-uids';

export class LabUids {
  private readonly dir: string;
  private readonly instance: string;
  /** Where the next search starts, so a freed uid is not handed out again at once. */
  private next = 0;

  constructor(instance: string) {
    this.instance = instance;
    this.dir = trustedFolder(UID_LOCKS_DIR, 'The folder of lab uid locks');
  }

  /** Takes a free uid for `labId`. */
  take(labId: string): number {
    const { first, count } = LAB_HOST_UIDS.bwrap;
    for (let tried = 0; tried < count; tried++) {
      const uid = first + ((this.next + tried) % count);
      try {
        symlinkSync(`${this.instance}/${labId}`, join(this.dir, String(uid)));
        this.next = (uid - first + 1) % count;
        return uid;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`all ${count} lab uids from ${first} are taken (${this.dir} has a link for each): too many labs on this machine`);
  }

  release(uid: number): void {
    try {
      unlinkSync(join(this.dir, String(uid)));
    } catch {
      // already gone
    }
  }

  /** Frees the uids an earlier run of this instance held: after a crash, its labs are gone with it. */
  releaseAll(): void {
    for (const name of readdirSync(this.dir)) {
      try {
        if (readlinkSync(join(this.dir, name)).startsWith(`${this.instance}/`)) unlinkSync(join(this.dir, name));
      } catch {
        // not a link of ours, or removed meanwhile
      }
    }
  }
}
