/**
 * A horizontal bar chart of measured numbers, drawn as SVG at build time from
 * `content/figures/<name>.chart.json` (no chart library, no script). Colours are CSS variables of
 * the site's theme (see .sl-figure in src/styles/course.css), so it follows light and dark.
 */
import { z } from 'zod';
import { formatIssues } from '../schemas/error-map.ts';

export const barChartFields = z.strictObject({
  title: z.string().min(3, 'must say what is measured, e.g. "Round trips per second"'),
  unit: z.string().min(1, 'must name the unit of the values, e.g. "MB/s" or "µs"'),
  bars: z
    .array(
      z.strictObject({
        label: z.string().min(1, 'must name the bar'),
        value: z.number().finite().nonnegative('must be a measured number, 0 or more'),
      }),
    )
    .min(1, 'must have at least one bar')
    .max(12, 'must have at most 12 bars'),
  source: z.string().min(10, 'must say how the numbers were measured (program, settings, machine)'),
});

export type BarChart = z.infer<typeof barChartFields>;

/** Parses a chart file's text; throws a message listing each wrong field and what to write. */
export function parseBarChart(text: string): BarChart {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON (${(error as Error).message}); write {"title", "unit", "bars": [{"label", "value"}], "source"}`);
  }
  const result = barChartFields.safeParse(json);
  if (!result.success) throw new Error(`has wrong fields:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Numbers as people read them: 12 345, 1.23, 0.5. */
function formatValue(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits }).replace(/,/g, '\u202f');
}

/** The chart as an SVG string; the title, bars and values are text in it, not pictures of text. */
export function barChartSvg(chart: BarChart): string {
  const width = 640;
  const row = 34;
  const top = 44;
  const labelWidth = Math.min(260, 16 + 7.5 * Math.max(...chart.bars.map((b) => b.label.length)));
  const valueWidth = 16 + 7.5 * Math.max(...chart.bars.map((b) => `${formatValue(b.value)} ${chart.unit}`.length));
  const barSpace = width - labelWidth - valueWidth;
  const max = Math.max(...chart.bars.map((b) => b.value)) || 1;
  const height = top + row * chart.bars.length + 8;
  const bars = chart.bars.map((bar, i) => {
    const y = top + i * row;
    const length = Math.max(1, (bar.value / max) * barSpace);
    return [
      `<text class="chart-label" x="${labelWidth - 10}" y="${y + row / 2}" text-anchor="end" dominant-baseline="middle">${escape(bar.label)}</text>`,
      `<rect class="chart-bar" x="${labelWidth}" y="${y + 6}" width="${length.toFixed(1)}" height="${row - 12}" rx="3" />`,
      `<text class="chart-value" x="${(labelWidth + length + 8).toFixed(1)}" y="${y + row / 2}" dominant-baseline="middle">${escape(`${formatValue(bar.value)} ${chart.unit}`)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<text class="chart-title" x="0" y="22">${escape(chart.title)}</text>`,
    ...bars,
    '</svg>',
  ].join('\n');
}

/** The numbers as a plain list: the chart's text version. */
export function barChartText(chart: BarChart): string {
  return [chart.title, ...chart.bars.map((b) => `${b.label}: ${formatValue(b.value)} ${chart.unit}`), `Measured: ${chart.source}`].join('\n');
}
