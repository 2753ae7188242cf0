/**
 * Packet capture of a lab's loopback, from outside the lab: the learner never holds CAP_NET_RAW and
 * cannot see, signal or trace the capturing process.
 *
 * - bwrap: the server runs tcpdump on the host, entered into the lab's network namespace alone
 *   (through the handle opened at the lab's start, namespaces.ts), not its pid, mount or user
 *   namespace: the lab's processes cannot see it; tcpdump drops to its own `tcpdump` user once the
 *   socket is open.
 * - Docker: a capture container of the lab image sharing only the lab's network namespace
 *   (`NetworkMode: container:<lab>`): its own pids and files, a read-only root, CAP_NET_RAW to open
 *   the socket and CAP_SETUID/CAP_SETGID for tcpdump to drop to an unprivileged user right after,
 *   nothing else. The lab's driver removes it with the lab (and its labels make it an orphan the
 *   next start removes after a crash).
 *
 * tcpdump writes pcap to stdout (`-w -`), each packet as it comes (`--immediate-mode -U`: without
 * them libpcap hands packets over a block at a time, up to a second late), cut to the snap length.
 */
import type { Readable } from 'node:stream';

/** A running capture. */
export interface LoopbackCapture {
  /** The pcap stream. */
  readonly pcap: Readable;
  /** Resolves once the capture has ended (stopped, or by itself), with what tcpdump said last. */
  readonly ended: Promise<string>;
  /** Ends it; safe to call twice. */
  stop(): void;
}

/** tcpdump's arguments: the loopback, numbers only, pcap to stdout packet by packet. */
export function tcpdumpArgs(snapLength: number): string[] {
  if (!Number.isInteger(snapLength) || snapLength < 64 || snapLength > 65535) throw new Error(`snap length ${snapLength}: use a whole number of bytes from 64 to 65535`);
  return ['-i', 'lo', '-n', '-U', '--immediate-mode', '-w', '-', '-s', String(snapLength)];
}

/**
 * The capture container runs tcpdump as root for the moment it opens its socket: tcpdump then drops
 * to `tcpdump` (nobody's ids), which it looks up in a passwd of its own, on a tmpfs (the lab image's
 * /etc/passwd points into /run/socketlab, see lab-init.sh).
 */
export const CAPTURE_ENTRY = `printf 'root:x:0:0::/:/bin/false\\ntcpdump:x:65534:65534::/nonexistent:/bin/false\\n' > /run/socketlab/passwd \\
 && printf 'root:x:0:\\ntcpdump:x:65534:\\n' > /run/socketlab/group && exec tcpdump -Z tcpdump "$@"`;

/** Keeps the last `max` characters of what a capture prints on stderr, for its end's reason. */
export function lastWords(max = 500): { add(chunk: Buffer): void; text(): string } {
  let said = '';
  return {
    add: (chunk) => {
      said = (said + chunk.toString()).slice(-max);
    },
    text: () => said.trim(),
  };
}
