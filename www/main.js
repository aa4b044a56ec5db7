// The page's controller: loads the network and the data, and connects the form, the buttons, the
// training loop, the charts and the drawing pad. All state lives in one object passed around.
import init, { Session } from './pkg/inkling.js';
import { loadMnist } from './data.js';
import { createTrainLoop } from './train-loop.js';
import { createCharts } from './chart.js';
import { createDrawPad } from './draw-pad.js';
import { createPredictionView } from './prediction-view.js';
import { createSettingsForm } from './settings.js';
import { setupInspect } from './inspect.js';
import { setupMathPanel } from './math-panel.js';
import { setupGradientCheck } from './gradient-check.js';
import { setupSaliency } from './saliency.js';
import { setupCompare } from './compare.js';
import { readUrlSettings, setupUrlSettings } from './url-settings.js';
import { setupModelStore } from './model-store.js';
import { formatCount, formatPercent } from './format.js';

const $ = (id) => document.getElementById(id);

// Features beyond training and drawing (inspection panels, model files, …) subscribe here instead of
// being wired into this controller: app.on('evaluation', fn) and so on. Events:
//   report(report)         after each training slice      evaluation(evaluation) after a full test pass
//   drawing(result|null)   after the pad's answer changes  reset(info)            after a (re)start or import
//   state(state)           after the page state changes
function createEvents() {
  const listeners = new Map();
  return {
    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, []);
      listeners.get(name).push(fn);
    },
    emit(name, value) {
      for (const fn of listeners.get(name) ?? []) {
        try {
          fn(value);
        } catch (error) {
          console.error(`${name} listener failed:`, error);
        }
      }
    },
  };
}

function elements() {
  return {
    error: $('error'),
    loading: $('loading'),
    loadingText: $('loading-text'),
    downloadProgress: $('download-progress'),
    form: $('settings'),
    preset: $('preset'),
    settingsMessage: $('settings-message'),
    train: $('train'),
    step: $('step'),
    reset: $('reset'),
    runProgress: $('run-progress'),
    runProgressText: $('run-progress-text'),
    testAccuracy: $('test-accuracy'),
    trainLoss: $('train-loss'),
    speed: $('speed'),
    eta: $('eta'),
    status: $('status'),
    memory: $('memory'),
    chartPoints: $('chart-points'),
    pad: $('pad'),
    clear: $('clear'),
  };
}

function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function setState(app, state) {
  app.state = state;
  document.body.dataset.state = state;
  const { ui } = app;
  const usable = state !== 'loading' && state !== 'error';
  ui.train.disabled = !usable || app.finished;
  ui.train.textContent = state === 'training' ? 'Pause' : 'Train';
  ui.train.setAttribute('aria-pressed', String(state === 'training'));
  ui.step.disabled = !usable || state === 'training' || app.finished;
  ui.reset.disabled = !usable;
  app.events?.emit('state', state);
}

function showError(app, message) {
  app.loop?.stop();
  app.ui.error.textContent = message;
  app.ui.error.hidden = false;
  setState(app, 'error');
}

// Examples per second over the last second or so of training.
function updateSpeed(app, report, now) {
  const samples = app.speedSamples;
  samples.push([now, report.totalExamples]);
  while (samples.length > 2 && now - samples[0][0] > 1500) samples.shift();
  const [t0, n0] = samples[0];
  if (now - t0 > 250) app.examplesPerSecond = ((report.totalExamples - n0) * 1000) / (now - t0);
}

function showProgress(app, report) {
  const { ui, info } = app;
  const planned = info.plannedExamples;
  ui.runProgress.value = Math.min(1, report.totalExamples / planned);
  ui.runProgressText.textContent = `epoch ${report.epoch.toFixed(2)} of ${info.settings.epochs}`;
  if (Number.isFinite(report.smoothedLoss)) ui.trainLoss.textContent = report.smoothedLoss.toFixed(3);
  if (app.examplesPerSecond) {
    ui.speed.textContent = formatCount(app.examplesPerSecond);
    const left = report.finished ? 0 : (planned - report.totalExamples) / app.examplesPerSecond;
    ui.eta.textContent = formatDuration(left);
  }
}

// Memory and chart sizes, for people curious about the cost (and for the long-run test).
function showDiagnostics(app) {
  app.ui.memory.textContent = `${(Session.memoryBytes() / 1048576).toFixed(1)} MB`;
  app.ui.chartPoints.textContent = String(Math.max(...app.charts.pointCounts));
}

function describeNetwork(info) {
  const s = info.settings;
  const kind = s.batchSize === info.trainExamples ? 'full-batch gradient descent' : `${s.optimizer.kind}, batch ${s.batchSize}`;
  return `Network ${info.sizes.join('-')} (${formatCount(info.parameters)} parameters), ${kind}, seed ${info.seed}.`;
}

function resetView(app) {
  app.finished = false;
  app.lastReport = null;
  app.speedSamples = [];
  app.examplesPerSecond = 0;
  app.trainingMs = 0;
  app.info = app.session.info();
  app.charts.clear();
  app.ui.runProgress.value = 0;
  app.ui.runProgressText.textContent = `epoch 0 of ${app.info.settings.epochs}`;
  for (const el of [app.ui.testAccuracy, app.ui.trainLoss, app.ui.speed, app.ui.eta]) el.textContent = '—';
  app.ui.status.textContent = describeNetwork(app.info);
  app.loop.evaluateNow(0);
  predictDrawing(app);
  app.events.emit('reset', app.info);
}

// Starts over with the form's settings. Returns false (and says why) if they make no sense.
function applySettings(app) {
  const { ui } = app;
  try {
    const { settings, seed } = app.settingsForm.read();
    app.session.reset(settings, seed);
  } catch (error) {
    ui.settingsMessage.textContent = error.message;
    ui.settingsMessage.classList.add('invalid');
    return false;
  }
  ui.settingsMessage.textContent = '';
  ui.settingsMessage.classList.remove('invalid');
  resetView(app);
  return true;
}

function predictDrawing(app) {
  if (!app.session) return;
  if (app.pad.isEmpty) {
    app.predictionView.show({ empty: true });
    app.events.emit('drawing', null);
    return;
  }
  const image = app.pad.pixels();
  try {
    const result = app.session.predictDrawing(image.data, image.width, image.height);
    app.predictionView.show(result);
    app.events.emit('drawing', result.empty ? null : result);
  } catch (error) {
    app.ui.status.textContent = error.message;
  }
}

function onReport(app, report, now) {
  app.lastReport = report;
  updateSpeed(app, report, now);
  app.charts.addTraining(report);
  app.charts.draw(now);
  showProgress(app, report);
  if (now - (app.diagnosticsAt ?? 0) > 500) {
    app.diagnosticsAt = now;
    showDiagnostics(app);
  }
  app.events.emit('report', report);
  // The drawing's answer follows the network as it learns.
  if (!app.pad.isEmpty && now - (app.lastPredictionAt ?? 0) > 250) {
    app.lastPredictionAt = now;
    predictDrawing(app);
  }
}

function onEvaluation(app, evaluation) {
  app.ui.testAccuracy.textContent = formatPercent(evaluation.accuracy, 2);
  app.charts.addTest(evaluation, evaluation.atExamples / app.info.trainExamples);
  app.charts.draw(performance.now(), true);
  showDiagnostics(app);
  app.events.emit('evaluation', evaluation);
}

function onStop(app, reason) {
  if (reason === 'finished') {
    app.finished = true;
    app.ui.status.textContent = `Finished ${app.info.settings.epochs} epochs. Draw digits to try it, or Reset to train again.`;
    predictDrawing(app);
  }
  setState(app, app.lastReport ? 'paused' : 'ready');
}

function onTrainError(app, error) {
  // Divergence and other training errors pause training; the network that was good is kept.
  app.ui.status.textContent = error.message;
  app.ui.settingsMessage.textContent = error.message;
  app.ui.settingsMessage.classList.add('invalid');
  setState(app, app.lastReport ? 'paused' : 'ready');
  app.loop.evaluateNow(app.lastReport?.totalExamples ?? 0);
}

function wireControls(app) {
  const { ui } = app;
  ui.train.addEventListener('click', () => {
    if (app.state === 'training') {
      app.loop.pause();
      return;
    }
    if (app.settingsChanged && !applySettings(app)) return;
    app.settingsChanged = false;
    app.loop.start();
    setState(app, 'training');
  });
  ui.step.addEventListener('click', () => {
    if (app.settingsChanged && !applySettings(app)) return;
    app.settingsChanged = false;
    app.loop.step();
    setState(app, 'paused');
  });
  ui.reset.addEventListener('click', () => {
    app.loop.stop();
    if (applySettings(app)) app.settingsChanged = false;
    setState(app, 'ready');
  });
  ui.preset.addEventListener('change', () => {
    app.settingsForm.applyPreset(ui.preset.value);
    settingsEdited(app);
  });
  ui.form.addEventListener('input', (event) => {
    if (event.target === ui.preset) return;
    if (event.target.name === 'optimizer') app.settingsForm.syncBatchField();
    ui.preset.value = app.settingsForm.matchingPreset();
    settingsEdited(app);
  });
  ui.form.addEventListener('submit', (event) => event.preventDefault());
  ui.clear.addEventListener('click', () => app.pad.clear());
}

// New settings apply at once before any training; afterwards they wait for Reset (or Train).
function settingsEdited(app) {
  if (!app.lastReport && app.state !== 'training') {
    applySettings(app);
    app.settingsChanged = false;
    setState(app, 'ready');
  } else {
    app.settingsChanged = true;
    app.ui.settingsMessage.classList.remove('invalid');
    app.ui.settingsMessage.textContent = 'New settings apply when you press Reset.';
  }
}

async function main() {
  const ui = elements();
  const app = {
    ui, state: 'loading', session: null, loop: null, finished: false, settingsChanged: false, events: createEvents(),
  };
  setState(app, 'loading');
  try {
    await init();
  } catch (error) {
    showError(app, `This browser could not start the network's WebAssembly (${error.message}). ` +
      'Inkling needs a current Firefox, Chrome, Edge or Safari.');
    return;
  }

  app.predictionView = createPredictionView({
    output: $('prediction'), confidence: $('confidence'), bars: $('probabilities'), preview: $('preview'),
  });
  app.pad = createDrawPad(ui.pad, { onChange: () => predictDrawing(app) });
  app.charts = createCharts($('loss-chart'), $('accuracy-chart'));

  let data;
  try {
    data = await loadMnist(new URL('data/', document.baseURI), ({ loaded, total, fromCache }) => {
      ui.downloadProgress.value = loaded / total;
      const mb = (n) => (n / 1e6).toFixed(1);
      ui.loadingText.textContent = fromCache
        ? `Reading MNIST from this browser's cache… ${Math.round((100 * loaded) / total)} %`
        : `Downloading MNIST: ${mb(loaded)} of ${mb(total)} MB (${Math.round((100 * loaded) / total)} %)`;
    });
  } catch (error) {
    showError(app, `Could not load the MNIST digits: ${error.message}`);
    return;
  }

  ui.loadingText.textContent = 'Checking the digits…';
  try {
    // With the default settings and a random seed; the network is made from the form below.
    app.session = new Session(data.trainImages, data.trainLabels, data.testImages, data.testLabels, undefined, undefined);
  } catch (error) {
    showError(app, `The MNIST data could not be used: ${error.message}`);
    return;
  }
  data = null; // the bytes now live in wasm memory

  // The form shows Rust's presets for this training set; settings in the page's address (a shared
  // link) fill it before the network is made from it. If the form's settings still cannot be used,
  // the session keeps its own and the settings message says why.
  const { trainExamples } = app.session.info();
  app.settingsForm = createSettingsForm(ui.form, app.session.presets(), trainExamples);
  readUrlSettings(app.settingsForm, ui.settingsMessage, (settings) => Session.checkSettings(settings, trainExamples));
  try {
    const { settings, seed } = app.settingsForm.read();
    app.session.reset(settings, seed);
  } catch (error) {
    ui.settingsMessage.textContent = error.message;
    ui.settingsMessage.classList.add('invalid');
  }

  app.loop = createTrainLoop(app.session, {
    onReport: (report, now) => onReport(app, report, now),
    onEvaluation: (evaluation) => onEvaluation(app, evaluation),
    onStop: (reason) => onStop(app, reason),
    onError: (error) => onTrainError(app, error),
  });
  wireControls(app);
  // Feature modules register here: setupX(app) subscribes with app.events.on(…).
  setupInspect(app);
  setupMathPanel(app);
  setupGradientCheck(app);
  setupSaliency(app);
  setupCompare(app, app.settingsForm);
  setupUrlSettings(app, app.settingsForm);
  const models = setupModelStore(app, { resetView: () => resetView(app), setState: (state) => setState(app, state) });
  resetView(app);
  // Drawing works at once: the model saved in this browser, else the pretrained one, replaces the
  // fresh weights before the page is ready (Train still starts from scratch, per the form).
  ui.loadingText.textContent = 'Loading the pretrained model…';
  await models.start();
  ui.loading.hidden = true;
  setState(app, 'ready');
}

main().catch((error) => {
  // Anything unexpected still ends in a visible message, never a blank page.
  const box = document.getElementById('error');
  box.textContent = `Something went wrong: ${error.message}`;
  box.hidden = false;
  document.body.dataset.state = 'error';
});
