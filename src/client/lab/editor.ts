/**
 * The lab's editor: CodeMirror 6 on a file in the lab (C, Go and TypeScript modes), saved into
 * the sandbox through the file API so the next Run builds the learner's version. "Reset file"
 * brings back the course's original; "Download my files" saves the lab's work as a .tar.gz.
 * Loaded only when the learner first opens it.
 */
import { basicSetup, EditorView } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { cpp } from '@codemirror/lang-cpp';
import { go } from '@codemirror/lang-go';
import { javascript } from '@codemirror/lang-javascript';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { downloadArchive, listFiles, readFile, resetFile, writeFile } from './api.ts';
import { button, el } from './panel.ts';
import { Disposable, listen, toDisposable } from './disposable.ts';
import { trackLive } from './live-objects.ts';
import { currentMode, onModeChange, type Mode } from './theme.ts';

function languageFor(path: string): Extension {
  if (/\.(c|h)$/.test(path)) return cpp();
  if (path.endsWith('.go')) return go();
  if (/\.(ts|js|mjs)$/.test(path)) return javascript({ typescript: path.endsWith('.ts') });
  return [];
}

/**
 * GitHub's light and dark palettes, like the lesson's code blocks; every colour keeps at least
 * 4.5:1 contrast with its background (axe checks it in tests/site/lab.test.ts).
 */
const PALETTES: Record<Mode, { bg: string; fg: string; gutter: string; comment: string; keyword: string; string: string; number: string; fn: string; type: string; selection: string }> = {
  light: { bg: '#ffffff', fg: '#1f2328', gutter: '#57606a', comment: '#57606a', keyword: '#cf222e', string: '#0a3069', number: '#0550ae', fn: '#6639ba', type: '#953800', selection: '#b6d7ff' },
  dark: { bg: '#0d1117', fg: '#e6edf3', gutter: '#8b949e', comment: '#8b949e', keyword: '#ff7b72', string: '#a5d6ff', number: '#79c0ff', fn: '#d2a8ff', type: '#ffa657', selection: '#264f78' },
};

function editorTheme(mode: Mode): Extension {
  const p = PALETTES[mode];
  return [
    EditorView.theme(
      {
        '&': { backgroundColor: p.bg, color: p.fg },
        '.cm-content': { caretColor: p.fg },
        '.cm-gutters': { backgroundColor: p.bg, color: p.gutter, border: 'none' },
        '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: mode === 'dark' ? '#161b22' : '#f6f8fa' },
        '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: p.selection },
      },
      { dark: mode === 'dark' },
    ),
    syntaxHighlighting(
      HighlightStyle.define([
        { tag: t.comment, color: p.comment, fontStyle: 'italic' },
        { tag: [t.keyword, t.operatorKeyword, t.modifier, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: p.keyword },
        { tag: [t.string, t.special(t.string), t.regexp, t.character], color: p.string },
        { tag: [t.number, t.bool, t.null, t.atom, t.constant(t.name)], color: p.number },
        { tag: [t.function(t.variableName), t.function(t.propertyName), t.macroName], color: p.fn },
        { tag: [t.typeName, t.className, t.namespace, t.standard(t.typeName)], color: p.type },
        { tag: [t.processingInstruction, t.meta], color: p.keyword },
        { tag: t.invalid, color: p.keyword, textDecoration: 'underline' },
      ]),
    ),
  ];
}

const EDITABLE = /\.(c|h|go|ts|js|mjs|json|txt|md|sh|Makefile)$|Makefile$/;

/** The editor on one lab's files; its owner disposes it when that lab is over. */
export class FileEditor extends Disposable {
  readonly ticket: LabTicket;
  private readonly folder: string;
  private readonly slot: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly view: EditorView;
  private readonly language = new Compartment();
  private readonly theme = new Compartment();
  private path: string | null = null;
  private savedText = '';

  constructor(slot: HTMLElement, ticket: LabTicket, folder: string) {
    super();
    this.slot = slot;
    this.ticket = ticket;
    this.folder = folder;
    this.picker = el('select', { className: 'lab-file-picker' });
    this.picker.setAttribute('aria-label', 'File to edit');
    this.register(listen(this.picker, 'change', () => void this.load(this.picker.value)));
    this.status = el('span', { className: 'lab-editor-status', role: 'status' });
    const host = el('div', { className: 'lab-editor-host' });
    const bar = el(
      'div',
      { className: 'lab-editor-bar' },
      this.picker,
      button('Save', () => void this.save(), { className: 'lab-tool', title: 'Save into the lab (Ctrl-S)' }),
      button('Reset file', () => void this.reset(), { className: 'lab-tool', title: 'Bring back the course\'s version of this file' }),
      button('Download my files', () => void this.download(), { className: 'lab-tool', title: 'Your lab\'s files as a .tar.gz' }),
      button('Close', () => (slot.hidden = true), { className: 'lab-tool', ariaLabel: 'Close the editor' }),
      this.status,
    );
    slot.append(bar, host);
    this.register(
      toDisposable(() => {
        bar.remove();
        host.remove();
        slot.hidden = true;
      }),
    );
    this.view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: '',
        extensions: [
          basicSetup,
          keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (void this.save(), true) }]),
          this.language.of([]),
          this.theme.of(editorTheme(currentMode())),
          EditorView.updateListener.of((update) => update.docChanged && this.showDirty()),
          // tabindex: axe (and some assistive tech) only count tabindex as "focusable" for the scroller.
          EditorView.contentAttributes.of({ 'aria-label': 'File contents', tabindex: '0' }),
        ],
      }),
    });
    trackLive('editors', this.view);
    this.register(toDisposable(() => this.view.destroy()));
    this.register(onModeChange((mode) => this.view.dispatch({ effects: this.theme.reconfigure(editorTheme(mode)) })));
  }

  /** Shows the editor on `path` (relative to the learner's home); null: keep the file, or pick the first. */
  open(path: string | null): void {
    this.slot.hidden = false;
    void this.load(path);
  }

  private async load(path: string | null): Promise<void> {
    try {
      if (this.picker.options.length === 0) await this.fillPicker();
      const target = path ?? this.path ?? this.picker.options[0]?.value ?? null;
      if (!target) return this.say('No files to edit in this lab.');
      if (target === this.path) return;
      if (this.dirty && !confirm(`Discard your unsaved changes to ${this.path}?`)) {
        this.picker.value = this.path ?? '';
        return;
      }
      const text = await readFile(this.ticket, target);
      if (![...this.picker.options].some((o) => o.value === target)) this.picker.add(new Option(target, target));
      this.picker.value = target;
      this.path = target;
      this.replace(text);
      this.view.dispatch({ effects: this.language.reconfigure(languageFor(target)) });
      this.say(`Editing ~/${target}`);
    } catch (err) {
      this.say(`Could not open the file: ${(err as Error).message}`);
    }
  }

  private async fillPicker(): Promise<void> {
    const files = await listFiles(this.ticket, this.folder);
    for (const file of files.filter((f) => f.kind === 'file' && EDITABLE.test(f.path))) this.picker.add(new Option(file.path, file.path));
  }

  private replace(text: string): void {
    this.savedText = text;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.showDirty();
  }

  private get dirty(): boolean {
    return this.path !== null && this.view.state.doc.toString() !== this.savedText;
  }

  private showDirty(): void {
    this.status.dataset.dirty = String(this.dirty);
    if (this.dirty) this.status.textContent = 'Unsaved changes';
  }

  private async save(): Promise<void> {
    if (!this.path) return;
    const text = this.view.state.doc.toString();
    try {
      await writeFile(this.ticket, this.path, text);
      this.savedText = text;
      this.say(`Saved ~/${this.path}. Run it again to see the change.`);
    } catch (err) {
      this.say(`Not saved: ${(err as Error).message}`);
    }
  }

  private async reset(): Promise<void> {
    if (!this.path) return;
    if (!confirm(`Replace ~/${this.path} with the course's original? Your changes to it are lost.`)) return;
    try {
      await resetFile(this.ticket, this.path);
      this.replace(await readFile(this.ticket, this.path));
      this.say(`~/${this.path} is back to the original.`);
    } catch (err) {
      this.say(`Could not reset: ${(err as Error).message}`);
    }
  }

  private async download(): Promise<void> {
    try {
      const blob = await downloadArchive(this.ticket);
      const link = el('a', { href: URL.createObjectURL(blob), download: 'socketlab-files.tar.gz' });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (err) {
      this.say(`Could not download: ${(err as Error).message}`);
    }
  }

  private say(text: string): void {
    this.status.dataset.dirty = String(this.dirty);
    this.status.textContent = text;
  }
}
