// "How it works" for a ConvNet: the steps of one output of its first convolution, with the real
// numbers Session.explainConvolution computed (training's own forward and backward pass, in Rust) —
// the input, the sum under the kernel, the ReLU, the answer of the whole network, the loss, and on
// the way back ∂L/∂Z there, its term of the kernel's gradient and the kernel's whole gradient. This
// module only lays the numbers out.
import { formatPercent } from './format.js';
import { M, formatNumber, h } from './learn-format.js';
import { PALETTE, SIDE, cssColour, paintDigit } from './pictures.js';

const Wo = () => M.sub(M.mi('W'), M.mi('o'));
const sub3 = (name, a, b, c) => M.sub(M.mi(name), M.row(M.mi(a), M.mo(','), M.mi(b), M.mo(','), M.mi(c)));

/** A k×k grid of numbers (one input channel), as a table; `className` per value sign. */
function grid(values, k, label, { from = 0 } = {}) {
  const table = h('table', 'kernel-grid');
  table.setAttribute('aria-label', label);
  const body = h('tbody');
  for (let row = 0; row < k; row++) {
    const tr = h('tr');
    for (let col = 0; col < k; col++) {
      const v = values[from + row * k + col];
      tr.append(h('td', v < 0 ? 'negative' : v > 0 ? 'positive' : '', formatNumber(v, 3)));
    }
    body.append(tr);
  }
  table.append(body);
  return h('figure', 'grid-figure', table, h('figcaption', '', label));
}

/** The input picture with the kernel's window outlined. */
function inputWithWindow(pixels, t) {
  const canvas = h('canvas', 'input-picture');
  paintDigit(canvas, pixels);
  const context = canvas.getContext('2d');
  const pad = t.samePadding ? Math.floor(t.kernel / 2) : 0;
  context.strokeStyle = cssColour(PALETTE.warm);
  context.lineWidth = 1;
  context.strokeRect(t.x - pad - 0.5 + 1, t.y - pad - 0.5 + 1, t.kernel - 1, t.kernel - 1);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `The input, ${SIDE} by ${SIDE} pixels, with the ${t.kernel} by ${t.kernel} window at row ${t.y}, column ${t.x} outlined`);
  return canvas;
}

/** The steps of one convolution output for the trace `t` of Session.explainConvolution. */
export function buildConvSteps(t, example) {
  const k = t.kernel;
  const where = `filter ${t.channel} at row ${t.y}, column ${t.x}`;
  const taps = k * k;
  const positions = t.height * t.width;
  return [
    {
      phase: 'Forward', chip: 'X', title: 'The input X and the window',
      formula: () => M.math(M.mi('X'), M.mo('∈'), M.sup(M.mi('ℝ', 'normal'), M.row(M.mn(SIDE), M.mo('×'), M.mn(SIDE)))),
      shape: `X is ${SIDE} × ${SIDE}; the first layer slides ${t.channels} filters of ${k} × ${k} weights over it${t.samePadding ? ', with zeros added around the edge' : ''}, making ${t.channels} maps of ${t.height} × ${t.width}.`,
      explain: `Shown: the output where the first layer responds most, ${where}. The outlined window is the patch of pixels it reads.`,
      numbers: () => h('div', 'input-view', inputWithWindow(example.pixels, t)),
    },
    {
      phase: 'Forward', chip: 'Z', title: 'Z = the sum of weights × pixels under the window, plus the bias',
      formula: () => M.math(sub3('Z', 'o', 'y', 'x'), M.mo('='), M.sub(M.mi('b'), M.mi('o')), M.mo('+'),
        M.under(M.mo('∑'), M.row(M.mi('i'), M.mo(','), M.mi('j'))),
        M.sub(M.mi('W'), M.row(M.mi('o'), M.mo(','), M.mi('i'), M.mo(','), M.mi('j'))), M.mo('\u2062'),
        M.sub(M.mi('X'), M.row(M.mi('y'), M.mo('+'), M.mi('i'), M.mo(','), M.mi('x'), M.mo('+'), M.mi('j')))),
      shape: `${taps} products and a bias make one number; the same ${taps} weights make all ${positions} outputs of the map.`,
      explain: 'A filter is a small pattern of weights: where the ink under the window matches its red weights and avoids its blue ones, the sum is large.',
      numbers: () => h('div', '',
        h('div', 'grid-row', grid(t.patch, k, 'the patch P (pixels under the window)'), grid(t.weights, k, `the filter ${t.channel}'s weights`)),
        h('p', 'headline', `Z = ${formatNumber(t.bias)} + Σ W·P = `, h('strong', 'big-number', formatNumber(t.z)))),
    },
    {
      phase: 'Forward', chip: 'A', title: 'A = ReLU(Z), then the rest of the network',
      formula: () => M.math(sub3('A', 'o', 'y', 'x'), M.mo('='), M.mi('max'), M.mo('('), M.mn(0), M.mo(','), sub3('Z', 'o', 'y', 'x'), M.mo(')')),
      shape: `${t.active} of ${positions} outputs of this map are active (Z > 0).`,
      explain: `Pooling keeps the largest of each 2 × 2 square, the next layers combine the maps, and the dense layers end in softmax: the network answers ${t.predicted} (${formatPercent(t.probabilities[t.predicted], 1, { spaced: true })}); the true digit ${t.label} gets ${formatPercent(t.probabilities[t.label], 1, { spaced: true })}.`,
      numbers: () => h('p', 'headline', `A = max(0, ${formatNumber(t.z)}) = `, h('strong', 'big-number', formatNumber(t.a))),
    },
    {
      phase: 'Loss', chip: 'L', title: 'L = −Σ Y log A',
      formula: () => M.math(M.mi('L'), M.mo('='), M.mo('−'), M.under(M.mo('∑'), M.mi('k')), M.sub(M.mi('Y'), M.mi('k')), M.mi('log'), M.sub(M.mi('A'), M.mi('k'))),
      shape: 'One number, as for an MLP: the output layer is the same softmax and cross-entropy.',
      explain: 'The error then flows back through the dense layers, the pooling (to the input that won each square) and the second convolution, to every output of the first one.',
      numbers: () => h('p', 'headline', 'L = ', h('strong', 'big-number', formatNumber(t.loss))),
    },
    {
      phase: 'Backward', chip: 'dW term', title: 'This output’s share of the filter’s gradient: ∂L/∂Z · P',
      formula: () => M.math(M.frac(M.row(M.mi('∂'), M.mi('L')), M.row(M.mi('∂'), Wo())), M.mo('+='),
        M.frac(M.row(M.mi('∂'), M.mi('L')), M.row(M.mi('∂'), sub3('Z', 'o', 'y', 'x'))), M.mo('\u2062'), M.mi('P')),
      shape: `∂L/∂Z here is one number; times the ${k} × ${k} patch it is one term of the filter's gradient.`,
      explain: t.a > 0
        ? 'The output is active, so the gradient passes its ReLU: each weight’s share is the output’s error times the pixel it multiplied.'
        : 'The output is silent (Z ≤ 0): ReLU passes no gradient, so this position adds nothing.',
      numbers: () => h('div', '',
        h('p', 'headline', '∂L/∂Z = ', h('strong', 'big-number', formatNumber(t.dz))),
        grid(t.term, k, '∂L/∂Z · P')),
    },
    {
      phase: 'Backward', chip: 'dW', title: `dW = Σ over all ${positions} positions of ∂L/∂Z · P`,
      formula: () => M.math(M.frac(M.row(M.mi('∂'), M.mi('L')), M.row(M.mi('∂'), Wo())), M.mo('='),
        M.under(M.mo('∑'), M.row(M.mi('y'), M.mo(','), M.mi('x'))),
        M.frac(M.row(M.mi('∂'), M.mi('L')), M.row(M.mi('∂'), sub3('Z', 'o', 'y', 'x'))), M.mo('\u2062'),
        M.sub(M.mi('P'), M.row(M.mi('y'), M.mo(','), M.mi('x')))),
      shape: `The filter is shared by all ${positions} outputs of its map, so its gradient adds up ${positions} such terms; db = Σ ∂L/∂Z = ${formatNumber(t.biasGrad)}.`,
      explain: 'The update then moves each weight against this gradient, as for a dense layer — which is how a filter learns its pattern from every place in the image at once.',
      numbers: () => grid(t.weightGrads, k, `∂L/∂W of filter ${t.channel}`),
    },
  ];
}
