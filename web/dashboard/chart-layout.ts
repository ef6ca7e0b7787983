/**
 * Where the chart draws its bars inside its element, in CSS pixels. The y-axis runs from 0 to
 * axisScale's top for the largest stacked bar, so a bar's segment can be found from the numbers
 * alone.
 */
export const CHART_GRID = { left: 72, right: 24, top: 24, bottom: 72 } as const;
export const CHART_HEIGHT = 320;

/**
 * The y-axis of a largest value: about five gridlines a round step apart (1, 2, 2.5 or 5 times a
 * power of ten; whole for counts), the top one at or just above the value, so that every line,
 * the top one included, has a round label.
 */
export function axisScale(largest: number, whole: boolean): { max: number; interval: number } {
  if (!(largest > 0)) return { max: whole ? 5 : 1, interval: whole ? 1 : 0.2 };
  const raw = largest / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let interval = [1, 2, 2.5, 5, 10].map((s) => s * magnitude).find((s) => s >= raw * (1 - 1e-12))!;
  if (whole) interval = Math.max(1, Math.ceil(interval));
  const round = (v: number) => Number(v.toPrecision(12));
  interval = round(interval);
  return { max: round(Math.ceil(round(largest / interval)) * interval), interval };
}
