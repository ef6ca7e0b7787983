/**
 * Where the chart draws its bars inside its element, in CSS pixels. The y-axis runs from 0 to the
 * largest stacked bar, so a bar's segment can be found from the numbers alone.
 */
export const CHART_GRID = { left: 72, right: 24, top: 24, bottom: 72 } as const;
export const CHART_HEIGHT = 320;
