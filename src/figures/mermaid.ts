/**
 * Mermaid source to inline SVG at build time, with beautiful-mermaid (no browser, no network).
 * beautiful-mermaid skips lines it does not understand, so `mermaidProblems` first checks every
 * line against what it does understand: a typo fails the build instead of vanishing from the
 * figure. Colours and fonts come from the site's CSS (.sl-figure in src/styles/course.css), so
 * one SVG follows the light and dark themes.
 */
import { parseMermaid, renderMermaidASCII, renderMermaidSVG } from 'beautiful-mermaid';

/** The diagram kinds the course promises to render (beautiful-mermaid knows more, untested here). */
export const MERMAID_KINDS = ['sequenceDiagram', 'stateDiagram-v2', 'flowchart'] as const;

/** The sequence-diagram lines beautiful-mermaid's parser reads (its src/sequence/parser.ts). */
const SEQUENCE_LINES = [
  /^(participant|actor)\s+\S+?(\s+as\s+.+)?$/,
  /^Note\s+(left of|right of|over)\s+[^:]+:\s*.+$/i,
  /^(loop|alt|opt|par|critical|break|rect)\b.*$/,
  /^(else|and)\b.*$/,
  /^end$/,
  /^autonumber$/,
  /^(activate|deactivate)\s+\S+$/,
  // A message; stricter than the parser on names, which would take "C->>: x" as a message to ">".
  /^\w[\w.]*\s*(--?>?>|--?[)x]|--?>>|--?>)\s*[+-]?\w[\w.]*\s*:\s*.+$/,
];

const ARROW = /(-->|---|==>|-\.->|--x|--o|<-->|--\s*\|)/;
const FLOW_KEYWORDS = /^(subgraph|end|direction|classDef|class|style|linkStyle|click|state|note|\[\*\])\b/;

function unbalanced(line: string): string | null {
  const pairs: Record<string, string> = { '[': ']', '(': ')', '{': '}' };
  const stack: string[] = [];
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === ']' || ch === ')' || ch === '}') {
      if (stack.pop() !== ch) return `an unexpected "${ch}"`;
    }
  }
  if (quoted) return 'an unclosed "';
  return stack.length > 0 ? `an unclosed bracket (expected "${stack.at(-1)}")` : null;
}

/** What is wrong with a diagram's source, one line each ('' lines: none). */
export function mermaidProblems(source: string): string[] {
  const lines = source.split('\n').map((text, i) => ({ text: text.trim(), number: i + 1 })).filter((l) => l.text && !l.text.startsWith('%%'));
  const header = lines[0]?.text ?? '';
  const kind = MERMAID_KINDS.find((k) => header === k || header.startsWith(`${k} `));
  if (!kind) return [`line 1: "${header}" is not a diagram kind the course renders; start with one of: ${MERMAID_KINDS.join(', ')} (flowchart with a direction, e.g. "flowchart LR")`];
  const problems: string[] = [];
  let messages = 0;
  if (kind === 'flowchart' && !/^flowchart\s+(TD|TB|LR|BT|RL)\s*$/i.test(header)) problems.push(`line 1: "${header}" needs a direction: flowchart TD, TB, LR, BT or RL`);
  for (const { text, number } of lines.slice(1)) {
    if (kind === 'sequenceDiagram') {
      if (!SEQUENCE_LINES.some((re) => re.test(text))) problems.push(`line ${number}: "${text}" is not a participant, message ("A->>B: text"), note or block line`);
      else if (/^Note\b/i.test(text) && messages === 0) problems.push(`line ${number}: a note before the first message is not drawn; move it after a message`);
      if (SEQUENCE_LINES.at(-1)!.test(text)) messages++;
      continue;
    }
    const bracket = unbalanced(text);
    if (bracket) problems.push(`line ${number}: "${text}" has ${bracket}`);
    else if (/(-->|---|==>|-\.->)\s*(\|[^|]*\|)?\s*$/.test(text)) problems.push(`line ${number}: "${text}" ends with an arrow that points nowhere`);
    else if (!ARROW.test(text) && !FLOW_KEYWORDS.test(text) && /\s/.test(text.replace(/\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|"[^"]*"|:.*$/g, '').trim()))
      problems.push(`line ${number}: "${text}" is neither a node, an edge ("A --> B") nor a keyword`);
  }
  if (problems.length === 0 && kind !== 'sequenceDiagram') {
    try {
      parseMermaid(source);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/**
 * The diagram as an SVG string whose ids start with `idPrefix` (several figures share a page), with
 * beautiful-mermaid's own <style> removed: it @imports a web font and sets colours that the site's
 * theme sets instead.
 */
export function mermaidSvg(source: string, idPrefix: string): string {
  const svg = renderMermaidSVG(source, { transparent: true });
  return svg
    .replace(/<style>[\s\S]*?<\/style>\s*/, '')
    .replace(/^<svg([^>]*?) style="[^"]*"/, '<svg$1')
    .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
}

/** The diagram drawn with box characters: the text version under the figure. */
export function mermaidText(source: string): string {
  return renderMermaidASCII(source).replace(/[ \t]+$/gm, '').replace(/\n+$/, '');
}
