// The page's uPlot charts, set up one way: a value against epochs, the page's axis and grid
// colours, a legend that shows the series (not the value under the cursor), no zoom by dragging,
// and a width that follows the chart's box when the window is resized. chart.js (section 1) and
// compare.js ("Compare runs") add their series, data and extras.
import uPlot from './vendor/uPlot.esm.js';
import { formatEpoch } from './format.js';
import { PALETTE, cssColour } from './pictures.js';

const MIN_WIDTH = 240;
// A hidden chart's box has no width yet: it is drawn this wide, and resize() fits it once shown.
const UNLAID_WIDTH = 480;
const AXIS = cssColour(PALETTE.axis);
const GRID = cssColour(PALETTE.line);

const chartWidth = (element) => Math.max(MIN_WIDTH, Math.floor(element.clientWidth || UNLAID_WIDTH));

/**
 * createPlot(element, options) → { plot (the uPlot), resize(), rename(i, label) }
 *   height; xLabel ('epochs'); yLabel and yLabelWidth (room for the y axis's numbers);
 *   format(v): a y value as text, on the axis and in the legend;
 *   xRange, yRange: uPlot scale ranges (y automatic if not given);
 *   series: uPlot's series after the x (epochs), each shown with `format`; hooks: uPlot's hooks;
 *   data: the starting columns, x first.
 */
export function createPlot(element, { height, xLabel = 'epochs', yLabel, yLabelWidth, format, xRange, yRange, series, hooks, data }) {
  const shown = (u, v) => (v == null ? '—' : format(v));
  const plot = new uPlot({
    ...(hooks && { hooks }),
    width: chartWidth(element),
    height,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, ...(xRange && { range: xRange }) }, y: yRange ? { range: yRange } : { auto: true } },
    axes: [
      { label: xLabel, size: 40, labelSize: 18, stroke: AXIS, grid: { stroke: GRID } },
      { label: yLabel, size: yLabelWidth, labelSize: 18, stroke: AXIS, grid: { stroke: GRID }, values: (u, v) => v.map(format) },
    ],
    series: [{ label: 'epoch', value: (u, v) => (v == null ? '—' : formatEpoch(v)) }, ...series.map((s) => ({ value: shown, ...s }))],
  }, data, element);
  const resize = () => plot.setSize({ width: chartWidth(element), height });
  addEventListener('resize', resize);
  return {
    plot,
    resize,
    /**
     * Renames series i: uPlot writes a label into the legend once, so its cell is found by the old
     * label (the x series has no row in a legend that is not live) and rewritten too.
     */
    rename(i, label) {
      const old = plot.series[i].label;
      plot.series[i].label = label;
      const cell = [...plot.root.querySelectorAll('.u-legend .u-label')].find((c) => c.textContent === old);
      if (cell) cell.textContent = label;
    },
  };
}
