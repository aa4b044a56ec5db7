// "4 · How it works": the example the panel takes apart — the current drawing or a test image by
// number — and the true label the person picks for it. The math panel, the saliency view and the
// gradient check all read it and hear when it (or the network) changes. No math here: pixels come
// from Rust (the drawing's 28×28 preview, or Session.testImage).
import { Events } from './events.js';
import { deferWhileTraining } from './while-training.js';
import { createThrottle } from './throttle.js';

const NETWORK_EVERY_MS = 500; // while training, listeners hear about the changing network this often

/**
 * createLearnExample(page) → the panel's shared example, its owner:
 * { current, on('change', fn), describe() }. current = { kind, pixels, label, predicted, index } or
 * null when there is nothing to show (an empty pad); fn(reason) with reason 'input', 'label' or
 * 'network'.
 */
export function createLearnExample(page) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    sources: document.querySelectorAll('input[name="learn-source"]'),
    index: $('learn-test-index'),
    label: $('learn-label'),
    status: $('learn-example-status'),
  };
  const events = new Events();
  const state = {
    kind: 'drawing',
    drawing: null,        // the pad's last answer (with its 28×28 preview), or null
    test: null,           // { index, label, pixels } of the chosen test image
    chosenLabel: null,    // the person's pick; null = follow the default
  };

  const notify = (reason) => events.emit('change', reason);

  function current() {
    if (state.kind === 'drawing') {
      if (!state.drawing) return null;
      const predicted = state.drawing.digit;
      return {
        kind: 'drawing', pixels: state.drawing.preview, predicted, index: null,
        label: state.chosenLabel ?? predicted,
      };
    }
    if (!state.test) return null;
    return { kind: 'test', pixels: state.test.pixels, predicted: null, index: state.test.index, label: state.chosenLabel ?? state.test.label, trueLabel: state.test.label };
  }

  function showLabel() {
    const example = current();
    ui.label.disabled = !example;
    if (example) ui.label.value = String(example.label);
    let text;
    if (!example) {
      text = 'Draw a digit on the pad above, or choose a test image.';
    } else if (example.kind === 'drawing') {
      text = state.chosenLabel == null
        ? `Your drawing, read as ${example.predicted}. Pick the digit you meant as the true label.`
        : `Your drawing, with true label ${example.label} (the network reads ${example.predicted}).`;
    } else {
      text = `Test image ${example.index} of MNIST, labelled ${example.trueLabel}` +
        (example.label !== example.trueLabel ? `; taken apart as if it were a ${example.label}.` : '.');
    }
    ui.status.textContent = text;
  }

  function loadTestImage() {
    if (!page.info) return false; // no test images before the network starts
    const index = Number(ui.index.value);
    const total = page.info.testExamples;
    if (!Number.isInteger(index) || index < 0 || index >= total) {
      ui.status.textContent = `Test images are numbered 0 to ${total - 1}.`;
      ui.index.setAttribute('aria-invalid', 'true');
      return false;
    }
    ui.index.removeAttribute('aria-invalid');
    try {
      state.test = page.session.testImage(index);
    } catch (error) {
      ui.status.textContent = error.message;
      return false;
    }
    return true;
  }

  function setKind(kind) {
    state.kind = kind;
    state.chosenLabel = null;
    for (const radio of ui.sources) radio.checked = radio.value === kind;
    ui.index.disabled = kind !== 'test';
    if (kind === 'test' && !loadTestImage()) state.test = null;
    showLabel();
    notify('input');
  }

  for (const radio of ui.sources) {
    radio.addEventListener('change', () => radio.checked && setKind(radio.value));
  }
  ui.index.addEventListener('change', () => {
    if (state.kind !== 'test') return;
    state.chosenLabel = null;
    if (!loadTestImage()) return;
    showLabel();
    notify('input');
  });
  ui.label.addEventListener('change', () => {
    state.chosenLabel = Number(ui.label.value);
    showLabel();
    notify('label');
  });

  // Off screen while training, the panel's views wait (while-training.js) and catch up when seen.
  const onScreen = deferWhileTraining(page, document.querySelector('.learn-panel'));

  page.on('drawing', (result) => {
    const wasEmpty = !state.drawing;
    state.drawing = result;
    if (!result || wasEmpty) state.chosenLabel = state.kind === 'drawing' ? null : state.chosenLabel;
    if (state.kind !== 'drawing') return;
    onScreen.run('input', () => {
      showLabel();
      notify('input');
    });
  });

  // The network changes as it trains, and at a reset or an import.
  function networkChanged() {
    networkThrottle.ran();
    if (state.kind === 'test' && !state.test) loadTestImage();
    notify('network');
  }
  // While training: at most every NETWORK_EVERY_MS, and once more after the last report.
  const networkThrottle = createThrottle(NETWORK_EVERY_MS, () => onScreen.run('network', networkChanged));
  page.on('report', () => networkThrottle.request());
  page.on('reset', ({ info }) => {
    ui.index.max = String(info.testExamples - 1);
    networkChanged();
  });

  ui.label.replaceChildren(...Array.from({ length: 10 }, (_, digit) => new Option(String(digit), String(digit))));
  setKind('drawing');

  return {
    get current() {
      return current();
    },
    on: (type, fn) => events.on(type, fn),
    // "your drawing" / "test image 12", for captions.
    describe(example = current()) {
      if (!example) return 'no example';
      return example.kind === 'drawing' ? 'your drawing' : `test image ${example.index}`;
    },
  };
}
