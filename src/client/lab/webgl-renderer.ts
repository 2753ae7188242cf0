/**
 * xterm.js's WebGL renderer, kept only while it shows text. It is much faster than the DOM
 * renderer for floods, but some setups draw nothing with it (Chromium's software GL at device
 * pixel ratio 2 left a blank terminal) or lose the context later. So the first frame that has
 * text in the buffer is read back from the canvas: nothing but one colour there, or a lost
 * context at any time, and the addon goes, which puts xterm back on its DOM renderer.
 */
import type { Terminal } from '@xterm/xterm';
import type { WebglAddon } from '@xterm/addon-webgl';
import { toDisposable, type IDisposable } from './disposable.ts';

export type RendererKind = 'dom' | 'webgl';

/**
 * Loads the WebGL renderer into `term` (already open) if the browser has WebGL2. `onRenderer`
 * hears which renderer draws: 'webgl' once it has shown text, 'dom' when it fell back.
 * Resolves to what the owner disposes (the addon), or null when WebGL is not used at all.
 */
export async function loadWebglRenderer(term: Terminal, onRenderer: (kind: RendererKind, why?: string) => void): Promise<IDisposable | null> {
  if (!document.createElement('canvas').getContext('webgl2')) return null;
  const { WebglAddon } = await import('@xterm/addon-webgl');
  if (!term.element) return null; // disposed while the addon loaded
  const before = new Set(term.element.querySelectorAll('canvas'));
  const addon: WebglAddon = new WebglAddon();
  try {
    term.loadAddon(addon);
  } catch {
    return null; // no usable context: the DOM renderer stays
  }
  // The addon's canvas: among those it added (the link layer is a 2D one), the one with a WebGL2
  // context. Canvases it did not add are not asked: that would give them a context.
  const added = [...term.element.querySelectorAll('canvas')].filter((c) => !before.has(c));
  const gl = added.map((c) => c.getContext('webgl2')).find((context) => context !== null) ?? null;
  let checking: IDisposable | null = null;
  const fallBack = (why: string) => {
    checking?.dispose();
    addon.dispose();
    onRenderer('dom', why);
  };
  const contextLoss = addon.onContextLoss(() => fallBack('the WebGL context was lost'));
  // onRender fires right after the frame is drawn, before the browser presents (and clears) it.
  checking = term.onRender(() => {
    if (!gl || !viewportHasText(term)) return;
    checking?.dispose();
    if (drewSomething(gl)) onRenderer('webgl');
    else fallBack('the WebGL renderer drew nothing');
  });
  return toDisposable(() => {
    checking?.dispose();
    contextLoss.dispose();
    addon.dispose();
  });
}

function viewportHasText(term: Terminal): boolean {
  const buffer = term.buffer.active;
  for (let row = buffer.viewportY; row < buffer.viewportY + term.rows; row++) {
    if (buffer.getLine(row)?.translateToString(true).trim()) return true;
  }
  return false;
}

/** Whether the canvas holds more than one colour (text on a background). */
function drewSomething(gl: WebGL2RenderingContext): boolean {
  const { drawingBufferWidth: width, drawingBufferHeight: height } = gl;
  if (width === 0 || height === 0) return false;
  const pixels = new Uint32Array(width * height);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(pixels.buffer));
  const first = pixels[0];
  return pixels.some((p) => p !== first);
}
