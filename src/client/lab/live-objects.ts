/**
 * Weak references to the lab's heavy objects (xterm terminals, CodeMirror views), so a test can
 * force a garbage collection and count what is still alive: an owner that forgets to dispose what
 * it created shows up as a count that only grows. Weak: tracking never keeps anything alive.
 */
export type LiveKind = 'terminals' | 'editors';

const tracked: Record<LiveKind, WeakRef<object>[]> = { terminals: [], editors: [] };

export function trackLive(kind: LiveKind, object: object): void {
  tracked[kind] = tracked[kind].filter((ref) => ref.deref() !== undefined);
  tracked[kind].push(new WeakRef(object));
}

/** How many of each kind have not been garbage-collected (yet: collect first to count leaks). */
export function liveCounts(): Record<LiveKind, number> {
  const count = (kind: LiveKind) => tracked[kind].filter((ref) => ref.deref() !== undefined).length;
  return { terminals: count('terminals'), editors: count('editors') };
}
