// "4 · How it works", the math, live: one forward and one backward pass for the panel's example and
// true label, formula by formula — each with its shapes and the real numbers — then the update.
// Session.explain runs training's own forward and backward code on a batch of one (in Rust); this
// module only lays the numbers out. Stepping: the Previous/Next buttons, or ←/→, Home/End while the
// stepper has focus. With more hidden layers the same steps repeat per layer; a ConvNet gets the
// steps of one output of its first convolution (conv-steps.js).
import { formatCount, formatPercent } from './format.js';
import {
  M, close, formatConstant, formatNumber, open, grad, h, layered, strip, superscript, transpose,
} from './learn-format.js';
import { SIDE, paintDigit } from './pictures.js';
import { buildConvSteps } from './conv-steps.js';

const TOP = 6;            // largest entries listed per vector or gradient
const UPDATE_ROWS = 3;    // weights per layer shown in the update step
const CLASS_TABLE_MAX = 16; // vectors this short are shown in full, as a table

const name = (symbol, l) => (symbol === 'A' && l === 0 ? 'X' : `${symbol}${superscript(l)}`);
const pixelOf = (index) => `pixel (row ${Math.floor(index / SIDE)}, column ${index % SIDE})`;

/** "Z¹[17] = 4.210", the largest entries of a vector as a list. */
function entryList(entries, label, symbol) {
  const list = h('ul', 'entries');
  list.setAttribute('aria-label', label);
  for (const { index, value } of entries) {
    const item = h('li', value < 0 ? 'negative' : value > 0 ? 'positive' : '');
    item.append(h('span', 'entry-name', `${symbol}[${index}]`), ' = ', h('span', 'entry-value', formatNumber(value)));
    list.append(item);
  }
  return list;
}

/** A short vector in full: one column per class, the true and the predicted one marked. */
function classTable(values, trace, label, { format = (v) => formatNumber(v, 3) } = {}) {
  const table = h('table', 'class-table');
  table.setAttribute('aria-label', label);
  const head = h('tr', '', h('th', 'row-head', 'digit'));
  const body = h('tr', '', h('th', 'row-head', label.split(' ')[0]));
  values.forEach((value, k) => {
    const marks = [k === trace.label && 'true', k === trace.predicted && 'predicted'].filter(Boolean);
    const th = h('th', marks.join(' '), String(k));
    th.scope = 'col';
    head.append(th);
    const td = h('td', [...marks, value < 0 ? 'negative' : ''].filter(Boolean).join(' '), format(value));
    td.title = `${k}: ${value}`;
    body.append(td);
  });
  table.append(h('thead', '', head), h('tbody', '', body));
  // Ten values of a trained network ("−0.00488") are wider than a narrow card: it scrolls, not the page.
  return h('div', 'table-wrap', table);
}

/** Ten probabilities as bars. */
function probabilityBars(probabilities, trace) {
  const list = h('ol', 'prob-bars');
  list.setAttribute('aria-label', 'Probabilities');
  probabilities.forEach((p, k) => {
    const fill = h('span', 'fill');
    fill.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
    const item = h('li', [k === trace.predicted && 'predicted', k === trace.label && 'true'].filter(Boolean).join(' '),
      h('span', 'digit', String(k)), h('span', 'bar', fill), h('span', 'value', formatPercent(p, 2, { spaced: true })));
    item.setAttribute('aria-label', `${k}: ${formatPercent(p, 2, { spaced: true })}`);
    list.append(item);
  });
  return list;
}

function legend() {
  return h('p', 'legend', h('span', 'mark true', 'true label'), ' ', h('span', 'mark predicted', 'the network’s answer'));
}

/** A long vector: a strip of all its entries and a list of the largest. */
function vectorView(values, entries, symbol, what) {
  return h('div', 'vector-view',
    strip(values, `${symbol}: ${values.length} values, red positive, blue negative`),
    h('p', 'caption', `All ${values.length} ${what} (red positive, blue negative, white 0); the largest:`),
    entryList(entries, `Largest entries of ${symbol}`, symbol));
}

/** A table of entries; a cell is a number, a text, or { note } (shown muted). */
function table(caption, headings, rows, { result = -1 } = {}) {
  const element = h('table', 'entry-table');
  element.setAttribute('aria-label', caption);
  const head = h('tr');
  for (const text of headings) {
    const th = h('th', '', text);
    th.scope = 'col';
    head.append(th);
  }
  element.append(h('thead', '', head));
  const body = h('tbody');
  for (const cells of rows) {
    const tr = h('tr');
    cells.forEach((cell, i) => {
      const classes = [typeof cell === 'number' && cell < 0 && 'negative', cell?.note && 'note', i === result && 'result'];
      const text = typeof cell === 'number' ? formatNumber(cell) : cell?.note ?? cell;
      tr.append(h(i === 0 ? 'th' : 'td', classes.filter(Boolean).join(' '), text));
    });
    body.append(tr);
  }
  element.append(body);
  return element;
}

function optimizerNote(trace) {
  const full = trace.batchSize === trace.trainExamples;
  const batch = full ? `all ${formatCount(trace.trainExamples)} training examples (m = ${formatCount(trace.batchSize)})`
    : `a batch of ${trace.batchSize} examples (m = ${trace.batchSize})`;
  switch (trace.optimizer) {
    case 'sgd':
      return full
        ? `This run is the original project’s full-batch gradient descent: it averages dW over ${batch}, then takes exactly this step.`
        : `This run takes this step after averaging dW over ${batch}.`;
    case 'adam':
      return `This run uses Adam: it averages dW over ${batch}, then scales each weight’s step by running averages of that weight’s gradient, so its steps differ from the plain one shown.`;
    case 'momentum':
      return `This run uses momentum: it averages dW over ${batch} and adds it to a running velocity, which is what it steps along.`;
    default:
      return `This run uses RMSProp: it averages dW over ${batch} and divides each weight’s step by a running size of its gradient.`;
  }
}

/** The steps of a pass through a network with `trace.layers.length` layers. */
function buildSteps(trace, example) {
  const layers = trace.layers;
  const L = layers.length;
  const sizes = trace.sizes;
  const steps = [];
  const input = example.pixels;
  const activation = (l) => (l === 0 ? input : layers[l - 1].a);

  steps.push({
    phase: 'Forward', chip: 'X', title: 'The input X',
    formula: () => M.math(M.mi('X'), M.mo('='), transpose(M.row(M.sub(M.mi('x'), M.mn(1)), M.mo(','), M.sub(M.mi('x'), M.mn(2)),
      M.mo(','), M.mo('…'), M.mo(','), M.sub(M.mi('x'), M.mn(sizes[0]))))),
    shape: `X is ${sizes[0]} × 1: one example (m = 1). Training puts ${trace.batchSize === trace.trainExamples ? 'all the' : trace.batchSize} examples side by side as columns.`,
    explain: `The ${sizes[0]} pixels of the ${SIDE} × ${SIDE} image, read row by row, stacked into one column: each a number from 0 (paper) to 1 (ink).`,
    numbers: () => {
      const canvas = h('canvas', 'input-picture');
      paintDigit(canvas, input);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `The input, ${SIDE} by ${SIDE} pixels`);
      return h('div', 'input-view', canvas,
        h('p', '', `${formatCount(trace.inputNonzero)} of ${sizes[0]} pixels have ink; the other ${formatCount(sizes[0] - trace.inputNonzero)} are exactly 0 and contribute nothing.`));
    },
  });

  for (let l = 1; l <= L; l++) {
    const layer = layers[l - 1];
    const out = l === L;
    steps.push({
      phase: 'Forward', chip: name('Z', l), title: `${name('Z', l)} = ${name('W', l)}${name('A', l - 1)} + ${name('b', l)}`,
      formula: () => M.math(layered('Z', l), M.mo('='), layered('W', l), M.mo('\u2062'), layered('A', l - 1), M.mo('+'), layered('b', l)),
      shape: `${name('W', l)} is ${layer.outputs} × ${layer.inputs}, ${name('A', l - 1)} is ${layer.inputs} × 1, ${name('b', l)} is ${layer.outputs} × 1 → ${name('Z', l)} is ${layer.outputs} × 1.`,
      explain: out
        ? `Each of the ${layer.outputs} output units adds up its ${layer.inputs} weighted inputs and its bias: one score (logit) per digit.`
        : `Each of the ${layer.outputs} hidden units adds up its ${layer.inputs} weighted inputs and its bias.`,
      numbers: () => (layer.outputs <= CLASS_TABLE_MAX
        ? h('div', '', classTable(layer.z, trace, `${name('Z', l)} (logits)`), legend())
        : vectorView(layer.z, layer.largestZ, name('Z', l), 'pre-activations')),
    });
    if (!out) {
      steps.push({
        phase: 'Forward', chip: name('A', l), title: `${name('A', l)} = ReLU(${name('Z', l)})`,
        formula: () => M.math(layered('A', l), M.mo('='), M.mi('ReLU'), open(), layered('Z', l), close(), M.mo('='),
          M.mi('max'), open(), M.mn(0), M.mo(','), layered('Z', l), close()),
        shape: `Element by element: ${name('A', l)} is ${layer.outputs} × 1.`,
        explain: 'ReLU keeps positive values and turns negative ones into 0: a unit is either active or silent.',
        numbers: () => h('div', '',
          h('p', 'headline', `${layer.active} of ${layer.outputs} units are active (${name('Z', l)} > 0); the other ${layer.outputs - layer.active} output exactly 0.`),
          vectorView(layer.a, layer.largestA, name('A', l), 'activations')),
      });
    } else {
      steps.push({
        phase: 'Forward', chip: name('A', l), title: `${name('A', l)} = softmax(${name('Z', l)})`,
        formula: () => M.math(M.subsup(M.mi('A'), M.mi('k'), M.mn(l)), M.mo('='),
          M.frac(M.sup(M.mi('e'), M.subsup(M.mi('Z'), M.mi('k'), M.mn(l))),
            M.row(M.under(M.mo('∑'), M.mi('j')), M.sup(M.mi('e'), M.subsup(M.mi('Z'), M.mi('j'), M.mn(l)))))),
        shape: `${name('A', l)} is ${layer.outputs} × 1; its entries are positive and add up to 1.`,
        explain: `Softmax turns the scores into probabilities. The network answers with the most likely digit: ${trace.predicted}.`,
        numbers: () => h('div', '', probabilityBars(layer.a, trace), legend()),
      });
    }
  }

  const last = layers[L - 1];
  const smoothed = trace.labelSmoothing > 0;
  steps.push({
    phase: 'Loss', chip: 'L', title: `L = −Σ Y log ${name('A', L)}`,
    formula: () => M.math(M.mi('L'), M.mo('='), M.mo('−'), M.under(M.mo('∑'), M.mi('k')), M.sub(M.mi('Y'), M.mi('k')),
      M.space(), M.mi('log'), M.mo('\u2061'), M.space(), M.subsup(M.mi('A'), M.mi('k'), M.mn(L))),
    shape: `Y is ${last.outputs} × 1: the true label ${trace.label} as a vector. L is one number.`,
    explain: smoothed
      ? `Y puts ${formatConstant(trace.target[trace.label])} on the true digit and ${formatConstant(trace.target[(trace.label + 1) % last.outputs])} on each other one: label smoothing ε = ${formatConstant(trace.labelSmoothing)}, as this training run uses.`
      : 'Y is one-hot: 1 for the true digit, 0 for the others, so L = −log of the true digit’s probability.',
    numbers: () => h('div', '',
      classTable(trace.target, trace, 'Y (target)', { format: formatConstant }),
      h('p', 'headline', 'L = ', h('strong', 'big-number', formatNumber(trace.loss))),
      smoothed ? h('p', 'caption', `The plain cross-entropy −log ${name('A', L)}[${trace.label}] = ${formatNumber(trace.plainLoss)} is what the training chart plots.`) : '',
      legend()),
  });

  for (let l = L; l >= 1; l--) {
    const layer = layers[l - 1];
    if (l === L) {
      steps.push({
        phase: 'Backward', chip: `d${name('Z', l)}`, title: `d${name('Z', l)} = ${name('A', l)} − Y`,
        formula: () => M.math(grad('Z', l), M.mo('='), layered('A', l), M.mo('−'), M.mi('Y')),
        shape: `${layer.outputs} × 1 − ${layer.outputs} × 1 → ${layer.outputs} × 1.`,
        explain: 'How the loss changes with each logit. The softmax and the logarithm cancel, leaving probability minus target: negative where the logit should rise, positive where it should fall.'
          + (smoothed
            ? ' With label smoothing the true digit’s target is below 1, so once the network is surer of it than that, the true digit’s value is positive too: the loss pulls it back towards its target.'
            : ' The true digit’s value is always negative: its target is 1.'),
        numbers: () => h('div', '', classTable(layer.dz, trace, `d${name('Z', l)}`), legend()),
      });
    } else {
      const above = layers[l];
      steps.push({
        phase: 'Backward', chip: `d${name('Z', l)}`, title: `d${name('Z', l)} = (${name('W', l + 1)})ᵀ d${name('Z', l + 1)} ⊙ ReLU′(${name('Z', l)})`,
        formula: () => M.math(grad('Z', l), M.mo('='), transpose(layered('W', l + 1)), M.mo('\u2062'), grad('Z', l + 1), M.mo('⊙'),
          M.mi('ReLU'), M.mo('′'), open(), layered('Z', l), close()),
        shape: `(${name('W', l + 1)})ᵀ is ${above.inputs} × ${above.outputs}, d${name('Z', l + 1)} is ${above.outputs} × 1, ReLU′(${name('Z', l)}) is ${layer.outputs} × 1 → d${name('Z', l)} is ${layer.outputs} × 1.`,
        explain: 'The error flows back through the same weights, transposed. ReLU′ is 1 where the unit was active and 0 where it was silent, so only active units pass it on.',
        numbers: () => h('div', '',
          h('p', 'headline', `${layer.active} of ${layer.outputs} units pass the gradient back; the other ${layer.outputs - layer.active} get exactly 0.`),
          vectorView(layer.dz, layer.largestDz, `d${name('Z', l)}`, 'gradients')),
      });
    }
    const previous = name('A', l - 1);
    steps.push({
      phase: 'Backward', chip: `d${name('W', l)}`, title: `d${name('W', l)} = (1/m) d${name('Z', l)} (${previous})ᵀ`,
      formula: () => M.math(grad('W', l), M.mo('='), M.frac(M.mn(1), M.mi('m')), M.mo('\u2062'), grad('Z', l), M.mo('\u2062'), transpose(layered('A', l - 1))),
      shape: `${layer.outputs} × 1 times 1 × ${layer.inputs} → d${name('W', l)} is ${layer.outputs} × ${layer.inputs}, like ${name('W', l)}; here m = 1.`,
      explain: `Each weight’s gradient is the error of the unit it feeds, d${name('Z', l)}[row], times the input it carries, ${previous}[column]${l === 1 ? ': pixels without ink give exactly 0' : ''}.`,
      numbers: () => {
        const rows = layer.largestWeightGrads.map((e) => [
          `d${name('W', l)}[${e.row}, ${e.col}]`, layer.dz[e.row], activation(l - 1)[e.col], e.grad,
          ...(l === 1 ? [{ note: pixelOf(e.col) }] : []),
        ]);
        return h('div', '',
          h('p', 'headline', `‖d${name('W', l)}‖ = ${formatNumber(layer.weightGradNorm)}; ${formatCount(layer.weightGradsNonzero)} of ${formatCount(layer.outputs * layer.inputs)} entries are not 0.`),
          table(`Largest entries of d${name('W', l)}`,
            ['entry', `d${name('Z', l)}[row]`, `${previous}[column]`, `d${name('W', l)} = product`, ...(l === 1 ? ['input'] : [])], rows,
            { result: 3 }));
      },
    });
    steps.push({
      phase: 'Backward', chip: `d${name('b', l)}`, title: `d${name('b', l)} = (1/m) Σ d${name('Z', l)}`,
      formula: () => M.math(grad('b', l), M.mo('='), M.frac(M.mn(1), M.mi('m')), M.under(M.mo('∑'), M.text('examples')), grad('Z', l)),
      shape: `d${name('b', l)} is ${layer.outputs} × 1: d${name('Z', l)} summed over the m examples (columns); with m = 1 it is d${name('Z', l)} itself.`,
      explain: 'A bias is added to every example alike, so its gradient is the units’ error, averaged over the batch.',
      numbers: () => entryList(layer.largestBiasGrads.map((e) => ({ index: e.row, value: e.grad })), `Largest entries of d${name('b', l)}`, `d${name('b', l)}`),
    });
  }

  steps.push({
    phase: 'Update', chip: 'W ←', title: 'W ← W − α dW,  b ← b − α db',
    formula: () => M.math(M.mi('W'), M.mo('←'), M.mi('W'), M.mo('−'), M.mi('α'), M.mo('\u2062'), M.mi('d', 'normal'), M.mi('W'),
      M.mo(',', { separator: 'true' }), M.space(), M.space(), M.mi('b'), M.mo('←'), M.mi('b'), M.mo('−'), M.mi('α'), M.mo('\u2062'), M.mi('d', 'normal'), M.mi('b')),
    shape: `For every layer, with learning rate α = ${formatConstant(trace.learningRate)}: each weight moves a little against its gradient.`,
    explain: `Plain gradient descent on this one example would change the weights with the largest gradients like this (one per unit). ${optimizerNote(trace)}`,
    numbers: () => h('div', '', ...layers.map((layer, i) => table(`Update of ${name('W', i + 1)}`,
      ['weight', 'before', `d${name('W', i + 1)}`, 'after'],
      layer.largestWeightGrads.slice(0, UPDATE_ROWS).map((e) => [`${name('W', i + 1)}[${e.row}, ${e.col}]`, e.weight, e.grad, e.updated]),
      { result: 3 }))),
  });
  return steps;
}

export function setupMathPanel(page, example) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    stepper: $('math-stepper'), list: $('step-list'), card: $('step-card'), count: $('step-count'),
    previous: $('step-prev'), next: $('step-next'), convnetNote: $('math-convnet-note'),
  };
  const view = { index: 0, steps: [], trace: null, error: '' };

  function setEnabled(button, enabled) {
    button.setAttribute('aria-disabled', String(!enabled));
    button.classList.toggle('is-disabled', !enabled);
  }

  function renderList() {
    ui.list.replaceChildren(...view.steps.map((step, i) => {
      const button = h('button', `chip phase-${step.phase.toLowerCase()}`, step.chip);
      button.type = 'button';
      button.tabIndex = -1; // the stepper itself takes the keys; the chips are for pointing
      button.title = step.title;
      button.addEventListener('click', () => go(i));
      return h('li', '', button);
    }));
  }

  function render() {
    const step = view.steps[view.index];
    ui.stepper.dataset.step = String(view.index);
    ui.stepper.dataset.steps = String(view.steps.length);
    setEnabled(ui.previous, view.index > 0 && !!step);
    setEnabled(ui.next, view.index < view.steps.length - 1);
    [...ui.list.children].forEach((li, i) => {
      if (i === view.index) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    if (!step) {
      ui.count.textContent = '';
      ui.card.replaceChildren(h('p', 'placeholder', view.error || 'Draw a digit on the pad, or choose a test image, to see its numbers here.'));
      return;
    }
    ui.count.replaceChildren(`Step ${view.index + 1} of ${view.steps.length} · ${step.phase}`,
      h('span', 'visually-hidden', `: ${step.title}`));
    const title = h('h4', 'step-title', step.title);
    title.id = 'step-title';
    let numbers;
    try {
      numbers = step.numbers();
    } catch (error) {
      numbers = h('p', 'placeholder', `These numbers could not be shown: ${error.message}`);
    }
    ui.card.replaceChildren(
      h('p', `step-phase phase-${step.phase.toLowerCase()}`, step.phase),
      title,
      h('div', 'step-formula', step.formula()),
      h('p', 'step-shape', step.shape),
      h('p', 'step-explain', step.explain),
      h('div', 'step-numbers', numbers),
    );
    ui.card.setAttribute('aria-label', `Step ${view.index + 1}: ${step.title}`);
  }

  function go(index) {
    if (!view.steps.length) return;
    view.index = Math.max(0, Math.min(view.steps.length - 1, index));
    render();
  }

  function refresh() {
    const current = example.current;
    view.error = '';
    ui.convnetNote.hidden = !page.info?.convolutional;
    if (!current || !page.session) {
      view.trace = null;
      view.steps = [];
      renderList();
      render();
      return;
    }
    // A ConvNet's steps are those of one output of its first convolution (conv-steps.js).
    const convolutional = Boolean(page.info?.convolutional);
    try {
      const pixels = Float32Array.from(current.pixels);
      view.trace = convolutional ? page.session.explainConvolution(pixels, current.label) : page.session.explain(pixels, current.label, TOP);
    } catch (error) {
      view.trace = null;
      view.steps = [];
      view.error = error.message;
      renderList();
      render();
      return;
    }
    const count = view.steps.length;
    view.steps = convolutional ? buildConvSteps(view.trace, current) : buildSteps(view.trace, current);
    if (view.steps.length !== count) {
      renderList();
      view.index = Math.min(view.index, view.steps.length - 1);
    }
    render();
  }

  ui.previous.addEventListener('click', () => go(view.index - 1));
  ui.next.addEventListener('click', () => go(view.index + 1));
  ui.stepper.addEventListener('keydown', (event) => {
    if (event.target.closest('select, input, textarea')) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let target = null;
    if (event.key in moves) target = view.index + moves[event.key];
    else if (event.key === 'Home') target = 0;
    else if (event.key === 'End') target = view.steps.length - 1;
    if (target === null || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    go(target);
  });

  example.on('change', refresh);
  refresh();
}
