// "Compare runs": two training configurations trained side by side on the same data with the same
// seed, both measured on the same 1,000 test images as they go, their curves on one chart. The runs
// live in Rust (Session.compareRuns: a Comparison handle sharing the session's training set); here a
// task on the page's frame scheduler gives them what is left of each frame, and never runs while the
// main training does.
import uPlot from './vendor/uPlot.esm.js';
import { formatCount, formatEpoch, formatPercent, plural } from './format.js';
import { formatNumber, h } from './learn-format.js';
import { PALETTE, cssColour } from './pictures.js';
import { createPlot } from './plot.js';

const TEST_IMAGES = 1000;
const POINTS_PER_EPOCH = 20;
const COLORS = [cssColour(PALETTE.warm), cssColour(PALETTE.accent)];
const NAMES = ['A', 'B'];

// Configurations: Rust's presets (the Recipe menu's), variations of the default recipe and the seed
// network that change one thing each, and whatever the form holds (settings: null).
function choices(presets) {
  const preset = (name) => presets.find((p) => p.name === name);
  const recipe = preset('default').settings;
  const seed = preset('seed').settings;
  const choice = ({ name, label, settings }) => ({ id: name, label, settings });
  // Plain SGD at the rate Rust's seed network steps with, so the two SGD choices share one rate.
  const plainRate = seed.optimizer.learningRate;
  return [
    choice(preset('seed')),
    choice(preset('default')),
    { id: 'recipe-sgd', label: `The recipe with plain SGD (α = ${plainRate}) instead of Adam`, settings: { ...recipe, optimizer: { kind: 'sgd', learningRate: plainRate } } },
    { id: 'recipe-constant', label: 'The recipe with a constant learning rate', settings: { ...recipe, schedule: { kind: 'constant' } } },
    { id: 'recipe-no-smoothing', label: 'The recipe without label smoothing', settings: { ...recipe, labelSmoothing: 0 } },
    {
      id: 'seed-minibatch', label: `The seed network in mini-batches of ${recipe.batchSize} (${seed.optimizer.kind.toUpperCase()}, α = ${seed.optimizer.learningRate})`,
      settings: { ...seed, batchSize: recipe.batchSize },
    },
    ...presets.filter((p) => p.name !== 'seed' && p.name !== 'default').map(choice),
    { id: 'form', label: 'Your settings (the form in section 1)', settings: null },
  ];
}

function makeChart(element, { label, range, format, trainExamples }) {
  const { plot, resize } = createPlot(element, {
    height: 220,
    xLabel: `epochs (passes over the ${formatCount(trainExamples)} training images)`,
    yLabel: label,
    yLabelWidth: 56,
    format,
    yRange: range,
    series: NAMES.map((name, r) => ({
      label: `Run ${name}`, stroke: COLORS[r], width: 2.5, spanGaps: true, points: { show: true, size: 5, fill: COLORS[r] },
    })),
    data: [[], [], []],
  });
  return {
    set(tables) {
      plot.setData(uPlot.join(tables));
    },
    resize,
  };
}

/**
 * setupCompare(page, settingsForm): the comparison's choices are the settings form's presets, and
 * "Your settings" are what the form reads.
 */
export function setupCompare(page, settingsForm) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    form: $('compare-settings'), first: $('compare-a'), second: $('compare-b'), epochs: $('compare-epochs'),
    run: $('compare-run'), restart: $('compare-restart'), status: $('compare-status'), results: $('compare-results'),
    accuracy: $('compare-accuracy-chart'), loss: $('compare-loss-chart'), block: $('compare-block'),
    charts: $('compare-charts'), resultsWrap: $('compare-results-wrap'),
  };
  const view = {
    comparison: null, running: false, points: [[], []], info: null, runs: null, done: false,
    stale: false, labels: ['', ''],
  };
  // A paused comparison can go on unless it finished or its choices were changed since.
  const resumable = () => Boolean(view.comparison && !view.done && !view.stale);

  const CHOICES = choices(settingsForm.presets);
  for (const [select, initial] of [[ui.first, 'seed'], [ui.second, 'default']]) {
    select.replaceChildren(...CHOICES.map((c) => new Option(c.label, c.id)));
    select.value = initial;
  }

  const { trainExamples } = settingsForm;
  const accuracyChart = makeChart(ui.accuracy, { label: 'test accuracy', range: [0, 1], format: (v) => formatPercent(v, 0), trainExamples });
  const lossChart = makeChart(ui.loss, { label: 'test loss', format: (v) => v.toFixed(2), trainExamples });

  function settingsFor(select) {
    const choice = CHOICES.find((c) => c.id === select.value) ?? CHOICES[0];
    const settings = choice.settings ?? settingsForm.read().settings;
    return { settings: { ...settings, epochs: Number(ui.epochs.value) }, label: choice.label };
  }

  function showButtons() {
    const { comparison, running, done } = view;
    ui.run.textContent = running ? 'Pause comparison' : resumable() ? 'Resume comparison' : 'Compare runs';
    ui.run.setAttribute('aria-pressed', String(running));
    ui.run.classList.toggle('running', running);
    ui.restart.hidden = !(resumable() && !running);
    ui.block.dataset.state = running ? 'running' : done ? 'done' : comparison ? 'paused' : 'idle';
  }

  function drawCharts() {
    const table = (r, key) => [view.points[r].map((p) => p.epoch), view.points[r].map((p) => p[key])];
    accuracyChart.set([table(0, 'accuracy'), table(1, 'accuracy')]);
    lossChart.set([table(0, 'loss'), table(1, 'loss')]);
  }

  function showResults() {
    const rows = (view.runs ?? []).map((run, r) => {
      const last = view.points[r].at(-1);
      const swatch = h('span', 'run-swatch');
      swatch.style.background = COLORS[r];
      const name = h('th', '', swatch, `Run ${NAMES[r]}`);
      name.scope = 'row';
      const state = run.diverged ? 'diverged' : run.finished ? 'finished' : `epoch ${formatEpoch(run.epoch)}`;
      return h('tr', '', name, h('td', 'run-label', view.labels[r]), h('td', '', formatCount(run.steps)),
        h('td', '', formatCount(run.examples)), h('td', '', last ? formatPercent(last.accuracy) : '—'),
        h('td', '', last ? formatNumber(last.loss) : '—'), h('td', '', state));
    });
    const head = h('tr', '', ...['Run', 'Configuration', 'Steps', 'Examples', 'Test accuracy', 'Test loss', ''].map((t) => {
      const th = h('th', '', t);
      th.scope = 'col';
      return th;
    }));
    ui.results.replaceChildren(h('thead', '', head), h('tbody', '', ...rows));
  }

  // The comparison's slice of a frame: Rust trains both runs for `ms`; the charts and table are
  // redrawn after the frame's work.
  function work(ms) {
    let report;
    try {
      report = view.comparison.work(ms);
    } catch (error) {
      stop(`The comparison stopped: ${error.message}`);
      return;
    }
    view.runs = report.runs;
    let added = false;
    report.points.forEach((points, r) => {
      if (points.length) {
        view.points[r].push(...points);
        added = true;
      }
    });
    if (report.done) view.done = true;
    page.scheduler.present('comparison', () => show(report, added));
  }

  function show(report, added) {
    if (added) drawCharts();
    showResults();
    const diverged = report.runs.map((run, r) => run.diverged && `Run ${NAMES[r]}: ${run.diverged}`).filter(Boolean);
    if (report.done) {
      const steps = report.runs.map((run, r) => `run ${NAMES[r]} ${plural(run.steps, 'step')}`);
      stop(`Done: both runs saw the same ${plural(Number(ui.epochs.value), 'epoch')} of examples ` +
        `(seed ${view.info.seed}); ${steps.join(', ')}. Each point is the test accuracy (or loss) on the same ` +
        `${formatCount(view.info.testExamples)} test images.` + (diverged.length ? ` ${diverged.join(' ')}` : ''));
      return;
    }
    if (view.running) {
      ui.status.textContent = `Training side by side, seed ${view.info.seed}…` + (diverged.length ? ` ${diverged.join(' ')}` : '');
    }
  }

  page.scheduler.add({ name: 'comparison', fill: true, wants: () => view.running && !view.done, run: work });

  function stop(message) {
    view.running = false;
    if (message) ui.status.textContent = message;
    showButtons();
  }

  function resume() {
    // The main training loop and the comparison take turns, never both at once.
    page.pauseTraining();
    view.running = true;
    showButtons();
    page.scheduler.wake();
  }

  function start() {
    let a;
    let b;
    try {
      a = settingsFor(ui.first);
      b = settingsFor(ui.second);
      view.comparison?.free();
      view.comparison = null;
      const evaluateEvery = Math.max(1, Math.round(trainExamples / POINTS_PER_EPOCH));
      view.comparison = page.session.compareRuns(a.settings, b.settings, settingsForm.readSeed(), TEST_IMAGES, evaluateEvery);
    } catch (error) {
      ui.status.textContent = `These runs cannot start: ${error.message}`;
      showButtons();
      return;
    }
    view.info = view.comparison.info();
    view.labels = [a.label, b.label];
    view.points = [[], []];
    view.runs = null;
    view.done = false;
    view.stale = false;
    // Shown from the first comparison on; the charts take their width once they are visible.
    ui.charts.hidden = false;
    ui.resultsWrap.hidden = false;
    accuracyChart.resize();
    lossChart.resize();
    drawCharts();
    showResults();
    resume();
  }

  ui.run.addEventListener('click', () => {
    if (view.running) stop(`Paused at seed ${view.info.seed}. Resume to go on, or start over.`);
    else if (resumable()) resume();
    else start();
  });
  ui.restart.addEventListener('click', start);
  ui.form.addEventListener('change', () => {
    // New choices start a new comparison next time.
    if (view.running) return;
    view.stale = true;
    showButtons();
  });
  ui.form.addEventListener('submit', (event) => event.preventDefault());
  page.on('state', (state) => {
    if (state === 'training' && view.running) stop('Paused while the network in section 1 trains. Resume when it stops.');
  });

  ui.run.disabled = false;
  showButtons();
}
