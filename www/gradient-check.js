// "Gradient check you can watch": backprop's gradient of a few parameters of the live network next
// to the finite difference (L(θ+ε) − L(θ−ε)) / 2ε, for the panel's example and true label, with their
// relative error. Session.gradientCheck does all of it in Rust (on a copy of the weights); this module
// fills the table.
import { formatCount } from './format.js';
import { formatConstant, formatNumber, h, superscript } from './learn-format.js';

const PER_TENSOR = 2; // parameters checked per weight or bias tensor

function parameterName({ layer, tensor, row, col }) {
  const l = superscript(layer + 1);
  return tensor === 'weights' ? `W${l}[${row}, ${col}]` : `b${l}[${row}]`;
}

export function setupGradientCheck(page, example) {
  const $ = (id) => document.getElementById(id);
  const ui = { run: $('gradcheck-run'), table: $('gradcheck'), summary: $('gradcheck-summary') };

  function header() {
    const row = h('tr');
    for (const [text, title] of [
      ['Parameter θ', ''], ['Value', ''], ['Backprop ∂L/∂θ', 'From the backward pass'],
      ['Numeric (L(θ+ε) − L(θ−ε)) / 2ε', 'Two forward passes'], ['Relative error', '|backprop − numeric| / max(|backprop|, |numeric|)'], ['', ''],
    ]) {
      const th = h('th', '', text);
      th.scope = 'col';
      if (title) th.title = title;
      row.append(th);
    }
    return h('thead', '', row);
  }

  function run() {
    const current = example.current;
    if (!current) {
      ui.summary.textContent = 'Draw a digit or choose a test image first.';
      return;
    }
    let check;
    try {
      check = page.session.gradientCheck(Float32Array.from(current.pixels), current.label, PER_TENSOR);
    } catch (error) {
      ui.summary.textContent = error.message;
      return;
    }
    const body = h('tbody');
    for (const p of check.parameters) {
      const ok = p.relativeError < check.tolerance;
      const verdict = h('td', ok ? 'verdict ok' : 'verdict bad', ok ? '✓' : '✗');
      verdict.setAttribute('aria-label', ok ? 'agrees' : 'disagrees');
      const row = h('tr', ok ? '' : 'mismatch',
        h('th', '', parameterName(p.parameter)),
        h('td', '', formatNumber(p.value)),
        h('td', '', formatNumber(p.backprop, 6)),
        h('td', '', formatNumber(p.numeric, 6)),
        h('td', 'relative-error', formatNumber(p.relativeError, 3)),
        verdict);
      row.dataset.relativeError = String(p.relativeError);
      row.querySelector('th').scope = 'row';
      body.append(row);
    }
    ui.table.replaceChildren(h('caption', '', `Loss L = ${formatNumber(check.loss)} for ${example.describe(current)}, true label ${current.label}; ε = ${formatConstant(check.epsilon)}`), header(), body);
    ui.table.dataset.tolerance = formatConstant(check.tolerance);
    const n = check.parameters.length;
    const worst = check.parameters.reduce((m, p) => Math.max(m, p.relativeError), 0);
    const trained = page.lastReport ? `, for the network after ${formatCount(page.lastReport.totalExamples)} training examples` : '';
    if (!n) {
      ui.summary.textContent = 'Every gradient here is too small to measure with a finite difference in 32-bit floats ' +
        '(the network is very sure, and right). Pick another true label to see a real check.';
    } else if (check.passed) {
      ui.summary.textContent = `All ${n} agree: relative error at most ${formatNumber(worst, 3)}, below the tolerance of ` +
        `${formatConstant(check.tolerance)}${trained}.`;
    } else {
      ui.summary.textContent = `${check.parameters.filter((p) => p.relativeError >= check.tolerance).length} of ${n} disagree ` +
        `beyond the tolerance of ${formatConstant(check.tolerance)}.`;
    }
  }

  ui.run.addEventListener('click', run);
  const enable = () => {
    ui.run.disabled = !example.current;
  };
  example.on('change', (reason) => {
    enable();
    // The results belong to the example they were measured on.
    if (reason !== 'network' && ui.table.tBodies.length) {
      ui.table.replaceChildren();
      ui.summary.textContent = 'The example changed: run the check again.';
    }
  });
  enable();
}
