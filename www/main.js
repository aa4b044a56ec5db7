// The page's start: loads the network and the data, makes the Page (page.js: the one owner of the
// state the page's parts share) and sets up the features, which hear the page's events and ask it
// for changes.
import { loadWasmPackage, PackageError } from './wasm-package.js';
import { loadMnist } from './data.js';
import { Page } from './page.js';
import { setupRunView } from './run-view.js';
import { createCharts } from './chart.js';
import { createDrawPad } from './draw-pad.js';
import { createPredictionView } from './prediction-view.js';
import { createSettingsForm } from './settings.js';
import { createLearnExample } from './learn-example.js';
import { setupInspect } from './inspect.js';
import { setupMathPanel } from './math-panel.js';
import { setupGradientCheck } from './gradient-check.js';
import { setupSaliency } from './saliency.js';
import { setupCompare } from './compare.js';
import { readUrlSettings, setupUrlSettings } from './url-settings.js';
import { setupModelStore } from './model-store.js';
import { setupTeach } from './teach.js';
import { formatMegabytes, formatPercent } from './format.js';

const $ = (id) => document.getElementById(id);

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
    timeShare: $('time-share'),
    settingsChanges: $('settings-changes'),
    pad: $('pad'),
    clear: $('clear'),
  };
}

async function main(page, ui) {
  // Opened from a file: boot-check.js has said what to do; nothing here could load.
  if (location.protocol === 'file:') return;
  let Session;
  try {
    ({ Session } = await loadWasmPackage());
  } catch (error) {
    if (error instanceof PackageError) page.fail(error.message, { html: true });
    else {
      page.fail(`This browser could not start the network's WebAssembly (${error.message}). ` +
        'Inkling needs a current Firefox, Chrome, Edge or Safari.');
    }
    return;
  }

  const charts = createCharts($('loss-chart'), $('accuracy-chart'));
  setupRunView(page, ui, { charts, memoryBytes: () => Session.memoryBytes() });
  const predictionView = createPredictionView({
    output: $('prediction'), confidence: $('confidence'), bars: $('probabilities'), preview: $('preview'),
  });
  page.on('drawing', (result) => predictionView.show(result ?? { empty: true }));
  const pad = createDrawPad(ui.pad, { onChange: () => page.predictDrawing() });
  ui.clear.addEventListener('click', () => pad.clear());

  let data;
  try {
    data = await loadMnist(new URL('data/', document.baseURI), ({ loaded, total, fromCache }) => {
      ui.downloadProgress.value = loaded / total;
      const share = formatPercent(loaded / total, 0, { spaced: true });
      ui.loadingText.textContent = fromCache
        ? `Reading MNIST from this browser's cache… ${share}`
        : `Downloading MNIST: ${formatMegabytes(loaded)} of ${formatMegabytes(total)} (${share})`;
    });
  } catch (error) {
    page.fail(`Could not load the MNIST digits: ${error.message}`);
    return;
  }

  ui.loadingText.textContent = 'Checking the digits…';
  let session;
  try {
    // With the default settings and a random seed; page.begin makes the network from the form.
    session = new Session(data.trainImages, data.trainLabels, data.testImages, data.testLabels, undefined, undefined);
  } catch (error) {
    page.fail(`The MNIST data could not be used: ${error.message}`);
    return;
  }
  data = null; // the bytes now live in wasm memory

  // The form shows Rust's presets for this training set; settings in the page's address (a shared
  // link) fill it before the network is made from it.
  const { trainExamples, testExamples, liveSettings } = session.info();
  charts.setTestExamples(testExamples);
  const settingsForm = createSettingsForm(ui.form, session.presets(), trainExamples);
  settingsForm.markLiveFields(liveSettings);
  readUrlSettings(settingsForm, ui.settingsMessage, (settings) => Session.checkSettings(settings, trainExamples));
  // Features register here: each hears the page's events (page.on(…)) before the first network.
  const example = createLearnExample(page);
  setupInspect(page);
  setupMathPanel(page, example);
  setupGradientCheck(page, example);
  setupSaliency(page, example);
  setupCompare(page, settingsForm);
  setupUrlSettings(page, settingsForm);
  setupTeach(page);
  const models = setupModelStore(page);
  page.begin(session, { settingsForm, pad });
  // Drawing works at once: the model saved in this browser, else the pretrained one, replaces the
  // fresh weights before the page is ready (Train still starts from scratch, per the form).
  ui.loadingText.textContent = 'Loading the pretrained model…';
  await models.start();
  ui.loading.hidden = true;
  page.ready();
}

const ui = elements();
const page = new Page(ui);
// Anything unexpected still ends in a visible message, never a blank page: the page's own failure,
// which also stops the training and tells the features.
main(page, ui).catch((error) => page.fail(`Something went wrong: ${error.message}`));
