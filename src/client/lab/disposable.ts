/**
 * xterm.js's dispose pattern for the lab's browser classes: whoever creates something (a
 * terminal, an editor view, a listener, a timer, an observer) registers it with its owner, and
 * disposing the owner disposes all of it, once. Nothing the lab creates outlives what it was for.
 */

/** The same shape as xterm's IDisposable, so xterm's own objects can be registered as they are. */
export interface IDisposable {
  dispose(): void;
}

/** `dispose` wrapped so that calling it again does nothing. */
export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** addEventListener, undone by dispose(). */
export function listen<E extends Event = Event>(target: EventTarget, type: string, listener: (event: E) => void, options?: AddEventListenerOptions): IDisposable {
  const handler = listener as EventListener;
  target.addEventListener(type, handler, options);
  return toDisposable(() => target.removeEventListener(type, handler, options));
}

/** setInterval, cleared by dispose(). */
export function every(ms: number, tick: () => void): IDisposable {
  const timer = setInterval(tick, ms);
  return toDisposable(() => clearInterval(timer));
}

export class Disposable implements IDisposable {
  private readonly owned: IDisposable[] = [];
  private isDisposed = false;

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Takes ownership of `thing`; registered after dispose(), it is disposed at once. */
  protected register<T extends IDisposable>(thing: T): T {
    if (this.isDisposed) thing.dispose();
    else this.owned.push(thing);
    return thing;
  }

  /** Disposes everything registered, the last registered first. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const thing of this.owned.splice(0).reverse()) thing.dispose();
  }
}

/** Holds at most one disposable: setting a new one (or clearing) disposes the one before. */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private current: T | null = null;

  get value(): T | null {
    return this.current;
  }

  set value(next: T | null) {
    if (next === this.current) return;
    this.current?.dispose();
    this.current = next;
  }

  clear(): void {
    this.value = null;
  }

  dispose(): void {
    this.clear();
  }
}
