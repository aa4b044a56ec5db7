// "Look inside": the first layer's weights as pictures, every layer's activity for the drawing, the
// confusion matrix of the last test evaluation with its images, a gallery of mistakes, and each
// digit's accuracy. It listens to the page's events and does its work in small frame jobs, so it
// never makes a training or drawing frame late; all numbers come from Rust.
import { createFrameJobs } from './frame-jobs.js';
import { createFiltersView, readMapLayers, splitMaps } from './filters-view.js';
import { createWeightsView } from './weights-view.js';
import { createActivationsView } from './activations-view.js';
import { createConfusionView } from './confusion-view.js';
import { createThumbnailList } from './thumbnails.js';
import { formatCount, formatPercent, plural } from './format.js';
import { deferWhileTraining } from './while-training.js';
import { createThrottle } from './throttle.js';
import { SIDE } from './pictures.js';

const WEIGHTS_EVERY_MS = 500;   // weights are fetched at most this often while training
// While training runs, the views take at most this share of each frame's work budget.
const VIEWS_SHARE = 0.25;
const GALLERY_SIZE = 24;
const CELL_LIMIT = 48;          // images shown for one confusion-matrix cell
const EXAMPLES_PER_STEP = 8;    // test images fetched and drawn per job step
const TOP = 3;                  // most likely digits shown per image
const STRONGEST = 3;            // most active first-layer units outlined for a drawing

function span(className) {
  const element = document.createElement('span');
  element.className = className;
  return element;
}

// One image of a confusion-matrix cell: the network's answer and how sure it was.
function renderCellImage(item, example) {
  const best = example.top[0];
  item.caption.textContent = formatPercent(best.probability, 'auto');
  item.li.title = `Test image ${example.index}`;
  item.li.setAttribute('aria-label', `Test image ${example.index}: a ${example.label} read as ${example.predicted}, ` +
    `${formatPercent(best.probability, 'auto')} sure`);
  item.li.classList.toggle('wrong', example.label !== example.predicted);
  item.canvas.setAttribute('aria-hidden', 'true');
}

// One mistake: the true digit, the answer, and the network's most likely digits.
function renderMistake(item, example) {
  if (!item.parts) {
    item.parts = { verdict: span('verdict'), top: span('top') };
    item.caption.replaceChildren(item.parts.verdict, item.parts.top);
  }
  const { verdict, top } = item.parts;
  verdict.textContent = `${example.label} → ${example.predicted}`;
  top.replaceChildren(...example.top.map(({ digit, probability }) => {
    const entry = span(digit === example.label ? 'rank true' : 'rank');
    entry.textContent = `${digit} ${formatPercent(probability, 'auto')}`;
    return entry;
  }));
  const ranks = example.top.map(({ digit, probability }) => `${digit} (${formatPercent(probability, 'auto')})`).join(', ');
  item.li.setAttribute('aria-label', `Test image ${example.index}: a ${example.label}, read as ${example.predicted}; ` +
    `most likely ${ranks}`);
  item.canvas.setAttribute('aria-hidden', 'true');
  item.li.title = `Test image ${example.index}`;
}

export function setupInspect(page) {
  const $ = (id) => document.getElementById(id);
  const status = $('inspect-status');
  const jobs = createFrameJobs(page.scheduler, {
    name: 'views',
    share: VIEWS_SHARE,
    onError: (name, error) => {
      status.textContent = `The ${name} view could not be updated: ${error.message}`;
    },
  });
  // Until the first network: an MLP's sizes with no hidden layer (pixels in, ten digits out).
  const view = { sizes: [SIDE * SIDE, 10], convolutional: false, mapLayers: [], drawing: null, matrix: null };
  // Off screen while training, the views wait (while-training.js) and catch up when seen.
  const onScreen = deferWhileTraining(page, document.querySelector('.inspect-panel'));

  const weights = createWeightsView($('weights'), $('weights-caption'));
  const filters = createFiltersView($('filters-block'), $('filters'), $('filters-caption'));
  const weightsBlock = $('weights-block');
  const activations = createActivationsView($('activations'), $('activations-summary'));
  const cellImages = createThumbnailList($('cell-images'), renderCellImage);
  const gallery = createThumbnailList($('gallery'), renderMistake);
  const cellTitle = $('cell-title');
  const gallerySummary = $('gallery-summary');
  const confusion = createConfusionView(
    { table: $('confusion'), summary: $('confusion-summary'), perDigit: $('per-digit') },
    { onSelect: (actual, predicted) => jobs.start('cell', showCell(actual, predicted)) },
  );

  // Bounded lists filled a few images per frame; the last step drops what the new list lacks.
  function* fillList(list, indices) {
    for (let k = 0; k < indices.length; k += EXAMPLES_PER_STEP) {
      yield;
      list.show(k, page.session.testExamples(indices.subarray(k, k + EXAMPLES_PER_STEP), TOP));
    }
    list.truncate(indices.length);
  }

  function* showCell(actual, predicted) {
    const total = view.matrix?.counts[actual * 10 + predicted] ?? 0;
    const indices = page.session.cellExamples(actual, predicted, CELL_LIMIT);
    const what = actual === predicted ? `${actual}s read correctly` : `${actual}s read as ${predicted}`;
    if (!total) {
      cellTitle.textContent = `No test image of a ${actual} was read as ${predicted}.`;
    } else {
      const shown = indices.length < total ? ` — the first ${indices.length}` : '';
      cellTitle.textContent = `${plural(total, 'test image')}: ${what}${shown}.`;
    }
    yield* fillList(cellImages, indices);
  }

  function* showGallery(matrix) {
    const wrong = matrix.examples - matrix.correct;
    const indices = page.session.misclassifiedExamples(GALLERY_SIZE);
    gallerySummary.textContent = wrong === 0
      ? 'The network reads every test image correctly.'
      : `It gets ${plural(wrong, 'test image')} of ${formatCount(matrix.examples)} wrong. ` +
        `${indices.length < wrong ? `${indices.length} of them, taken from every digit in turn` : 'All of them'}: ` +
        'true digit → answer, then the most likely digits (the true one in blue).';
    yield* fillList(gallery, indices);
  }

  function* showEvaluation() {
    const matrix = page.session.confusionMatrix();
    view.matrix = matrix;
    confusion.show(matrix);
    if (!matrix) return;
    const selected = confusion.selected;
    if (selected) jobs.start('cell', showCell(selected.a, selected.p));
    jobs.start('gallery', showGallery(matrix));
  }

  function* showActivations() {
    const layers = view.drawing ? page.session.activations(Float32Array.from(view.drawing.preview), STRONGEST) : null;
    activations.show(layers, view.sizes);
    if (view.convolutional) {
      yield;
      showFilters();
    } else {
      weights.highlight(layers ? layers[0].strongest : []);
    }
  }

  // A ConvNet's filters (a few hundred numbers) and the drawing's feature maps: small, drawn at once.
  function showFilters() {
    const layers = view.mapLayers;
    const first = layers.find((layer) => layer.kind === 'convolution');
    const kernels = { count: first.channels, channels: first.inputChannels, kernel: first.kernel, values: page.session.filters() };
    const maps = view.drawing ? splitMaps(layers, page.session.featureMaps(Float32Array.from(view.drawing.preview))) : [];
    filters.show(kernels, maps);
  }

  function refreshWeights() {
    weightsThrottle.ran();
    if (view.convolutional) {
      jobs.start('weights', (function* () { yield; showFilters(); })());
    } else {
      jobs.start('weights', weights.refresh(page.session, view.sizes));
    }
  }

  // At most every WEIGHTS_EVERY_MS, and once more after the last request (the final weights).
  const weightsThrottle = createThrottle(WEIGHTS_EVERY_MS, () => onScreen.run('weights', refreshWeights));
  const requestWeights = () => weightsThrottle.request();

  function clearSelection() {
    confusion.select(null);
    cellImages.truncate(0);
    cellTitle.textContent = 'Click a cell to see its test images.';
  }

  page.on('reset', ({ info }) => {
    view.sizes = info.sizes;
    view.convolutional = info.convolutional;
    view.mapLayers = readMapLayers(page.session.mapLayers());
    // A ConvNet's first dense layer reads feature maps, not pixels: its weights are no pictures.
    weightsBlock.hidden = info.convolutional;
    if (!info.convolutional) filters.hide();
    view.matrix = null;
    jobs.clear();
    confusion.clear();
    clearSelection();
    gallery.truncate(0);
    gallerySummary.textContent = '';
    status.textContent = '';
    if (!info.convolutional) weights.clear(info.sizes);
    refreshWeights();
    jobs.start('activations', showActivations());
  });
  page.on('report', requestWeights);
  page.on('state', (state) => {
    if (state === 'paused' || state === 'ready') requestWeights();
  });
  page.on('evaluation', () => onScreen.run('evaluation', () => {
    // Image lists in progress belong to the previous evaluation: stop them before they mix.
    jobs.cancel('cell');
    jobs.cancel('gallery');
    jobs.start('evaluation', showEvaluation());
  }));
  page.on('drawing', (result) => {
    view.drawing = result;
    onScreen.run('activations', () => jobs.start('activations', showActivations()));
  });
  clearSelection();
}
