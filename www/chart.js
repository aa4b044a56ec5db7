// Live training charts with uPlot: loss and accuracy against epochs, with the test set's values as
// points, and on the loss chart a dashed line where settings changed during the run. Point counts
// stay bounded however long training runs.
import uPlot from './vendor/uPlot.esm.js';
import { formatCount, formatPercent } from './format.js';
import { PALETTE, cssColour } from './pictures.js';
import { createPlot } from './plot.js';

const MAX_POINTS = 1200;
const COLORS = { train: cssColour(PALETTE.accent), test: cssColour(PALETTE.warm), marker: '#7c3aed' };
const MARKER_ROWS = 3; // labels of changes close together step down, so they do not overprint

// Vertical dashed lines with labels at [{ x (epochs), label }], over the plot area.
function drawMarkers(u, markers) {
  if (!markers.length) return;
  const px = uPlot.pxRatio;
  const { left, top, width, height } = u.bbox;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = COLORS.marker;
  ctx.fillStyle = COLORS.marker;
  ctx.lineWidth = 1.5 * px;
  ctx.setLineDash([5 * px, 4 * px]);
  ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
  // uPlot leaves the context's alignment as its last axis drew it (right-aligned): the labels'
  // positions below are for text that starts at x, on a baseline at y.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  markers.forEach((marker, i) => {
    const x = Math.round(u.valToPos(marker.x, 'x', true));
    if (x < left || x > left + width) return;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    const y = top + (12 + 13 * (i % MARKER_ROWS)) * px;
    // Near the right edge the label goes on the line's left.
    const textWidth = ctx.measureText(marker.label).width;
    ctx.fillText(marker.label, x + 4 * px + textWidth > left + width ? x - 4 * px - textWidth : x + 4 * px, y);
  });
  ctx.restore();
}

function makeChart(element, { yLabel, yRange, format }) {
  const data = [[], [], []];
  let markers = [];
  const { plot, rename } = createPlot(element, {
    hooks: { draw: [(u) => drawMarkers(u, markers)] },
    height: 180,
    yLabel,
    yLabelWidth: 52,
    format,
    // x from 0 to the last point (epochs only grow), and at least one epoch wide: a lone point (a
    // loaded model's test accuracy) stays readable. The data are read here because uPlot widens a
    // lone x value to ±100 before it asks (the pretrained model's one point showed 0–100 epochs).
    xRange: (u) => [0, Math.max(1, u.data[0].at(-1) ?? 1)],
    yRange,
    series: [
      { label: 'training (smoothed)', stroke: COLORS.train, width: 2, spanGaps: true },
      // Named with the test set's size once the session says it (setTestExamples).
      { label: 'test', stroke: COLORS.test, width: 2, spanGaps: true, points: { show: true, size: 6, fill: COLORS.test } },
    ],
    data,
  });
  let dirty = false;

  // Halves the number of points, keeping every test point: long runs stay cheap to draw.
  function thin() {
    const keep = data[0].map((_, i) => i % 2 === 0 || data[2][i] != null);
    for (let s = 0; s < data.length; s++) data[s] = data[s].filter((_, i) => keep[i]);
  }

  return {
    add(epoch, train, test) {
      data[0].push(epoch);
      data[1].push(train);
      data[2].push(test);
      if (data[0].length > MAX_POINTS) thin();
      dirty = true;
    },
    draw() {
      if (!dirty) return;
      plot.setData(data);
      dirty = false;
    },
    clear() {
      for (const s of data) s.length = 0;
      plot.setData(data);
    },
    setMarkers(list) {
      markers = list;
      element.dataset.markers = String(list.length);
      plot.redraw(false, false);
    },
    rename,
    get pointCount() {
      return data[0].length;
    },
  };
}

export function createCharts(lossElement, accuracyElement) {
  const loss = makeChart(lossElement, { yLabel: 'cross-entropy', format: (v) => v.toFixed(2) });
  const accuracy = makeChart(accuracyElement, {
    yLabel: 'accuracy', yRange: [0, 1], format: (v) => formatPercent(v, 0),
  });
  let lastDraw = 0;
  return {
    /** The test points are measured on all `n` test images: the legend says how many. */
    setTestExamples(n) {
      for (const chart of [loss, accuracy]) chart.rename(2, `test (all ${formatCount(n)})`);
    },
    addTraining(report) {
      if (!Number.isFinite(report.smoothedLoss)) return;
      loss.add(report.epoch, report.smoothedLoss, null);
      accuracy.add(report.epoch, report.smoothedAccuracy, null);
    },
    addTest(evaluation, epoch) {
      loss.add(epoch, null, evaluation.loss);
      accuracy.add(epoch, null, evaluation.accuracy);
    },
    // Redraws at most 4 times a second: uPlot is fast, but a redraw still took 2–8 ms of a frame
    // in headless Chromium on a busy 2-core machine — time taken from training.
    draw(now, force = false) {
      if (!force && now - lastDraw < 250) return;
      lastDraw = now;
      loss.draw();
      accuracy.draw();
    },
    clear() {
      loss.clear();
      accuracy.clear();
      loss.setMarkers([]);
    },
    /** Lines on the loss chart where settings changed: [{ x (epochs), label }]. */
    setMarkers(markers) {
      loss.setMarkers(markers);
    },
    get pointCounts() {
      return [loss.pointCount, accuracy.pointCount];
    },
  };
}
