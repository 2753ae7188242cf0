/**
 * Finds and renders a lesson's figure: `content/figures/<name>.mmd` (a Mermaid diagram) or
 * `content/figures/<name>.chart.json` (a bar chart of measured numbers). Every problem throws a
 * message naming the lesson file, the figure and what to fix, so a bad figure fails the build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { barChartSvg, barChartText, parseBarChart } from './bar-chart.ts';
import { mermaidProblems, mermaidSvg, mermaidText } from './mermaid.ts';

export const FIGURES_DIR = process.env.SOCKETLAB_FIGURES_DIR ?? join(process.cwd(), 'content/figures');

export interface FigureRequest {
  name: string;
  alt: string | undefined;
  /** The lesson (or page) that shows the figure, for error messages. */
  page: string;
}

export interface RenderedFigure {
  kind: 'diagram' | 'chart';
  /** The SVG, labelled by the figure's alt text. */
  svg: string;
  /** The text version: the diagram in box characters, or the chart's numbers. */
  text: string;
  /** For charts: how the numbers were measured. */
  source?: string;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Makes the SVG one image for assistive technology, named by the alt text (<title> and aria-label). */
function labelled(svg: string, id: string, alt: string): string {
  return svg.replace(/^<svg\b([^>]*)>/, `<svg$1 role="img" aria-labelledby="${id}-title" aria-label="${escape(alt)}" focusable="false"><title id="${id}-title">${escape(alt)}</title>`);
}

export function renderFigure({ name, alt, page }: FigureRequest, figuresDir = FIGURES_DIR): RenderedFigure {
  const fail = (problem: string): never => {
    throw new Error(`<Figure name="${name}"> in ${page}: ${problem}`);
  };
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name ?? '')) fail('name must be a figure file name without extension, using a-z, 0-9 and "-" (e.g. "tcp-handshake")');
  if (!alt || !alt.trim()) fail('alt is missing; write a text alternative that says what the figure shows, e.g. alt="The client sends SYN, the server answers SYN-ACK, the client ACKs"');
  const diagramFile = join(figuresDir, `${name}.mmd`);
  const chartFile = join(figuresDir, `${name}.chart.json`);
  const where = (file: string) => relative(process.cwd(), file);
  const id = `figure-${name}`;
  if (existsSync(diagramFile)) {
    const source = readFileSync(diagramFile, 'utf8');
    const problems = mermaidProblems(source);
    if (problems.length > 0) fail(`${where(diagramFile)} is not a diagram the course can render; fix:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    try {
      return { kind: 'diagram', svg: labelled(mermaidSvg(source, id), id, alt!), text: mermaidText(source) };
    } catch (error) {
      return fail(`${where(diagramFile)} could not be drawn: ${(error as Error).message}`);
    }
  }
  if (existsSync(chartFile)) {
    let chart;
    try {
      chart = parseBarChart(readFileSync(chartFile, 'utf8'));
    } catch (error) {
      return fail(`${where(chartFile)} ${(error as Error).message}`);
    }
    return { kind: 'chart', svg: labelled(barChartSvg(chart), id, alt!), text: barChartText(chart), source: chart.source };
  }
  return fail(`no figure file: add ${where(diagramFile)} (a Mermaid sequenceDiagram, stateDiagram-v2 or flowchart) or ${where(chartFile)} (a bar chart)`);
}
