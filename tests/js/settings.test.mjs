// The settings form without a browser: stand-in fields, and presets shaped like Rust's
// (Session.presets) whose warm-ups and label smoothing differ, so that a form sending the default
// preset's values for another preset is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSettingsForm } from '../../www/settings.js';

const TRAIN_EXAMPLES = 60000;
const recipe = (changes) => ({
  layers: '128', optimizer: { kind: 'adam', learningRate: 0.005 }, batchSize: 32, epochs: 2.5,
  schedule: { kind: 'warmupCosine', warmup: 0.02 }, labelSmoothing: 0.1, augment: false, ...changes,
});
const PRESETS = [
  { name: 'default', label: 'Default', settings: recipe({}) },
  { name: 'handwriting', label: 'Handwriting', settings: recipe({ layers: '256', augment: true, schedule: { kind: 'warmupCosine', warmup: 0.05 }, labelSmoothing: 0.2 }) },
  { name: 'seed', label: 'Seed', settings: recipe({ layers: '10', optimizer: { kind: 'sgd', learningRate: 0.1 }, batchSize: TRAIN_EXAMPLES, epochs: 500, schedule: { kind: 'constant' }, labelSmoothing: 0 }) },
];

// The little of HTMLFormElement and its fields that settings.js uses.
globalThis.Option = class {
  constructor(text, value) {
    Object.assign(this, { text, value, defaultSelected: false });
  }
};

function fakeForm() {
  const input = (type = 'text') => ({ type, tagName: 'INPUT', value: '', defaultValue: '', checked: false, defaultChecked: false });
  const select = (values) => ({
    type: 'select-one', tagName: 'SELECT', value: values[0] ?? '', options: values.map((v) => new Option(v, v)),
    add(option, before) {
      this.options.splice(before ? this.options.indexOf(before) : this.options.length, 0, option);
    },
  });
  const elements = {
    preset: select(['custom']), layers: input(), optimizer: select(['adam', 'sgd', 'gd']), learningRate: input(),
    batchSize: input(), epochs: input(), schedule: input('checkbox'), labelSmoothing: input('checkbox'),
    augment: input('checkbox'), seed: input(),
  };
  const smoothingAmount = { textContent: '' };
  const listeners = {};
  return {
    elements,
    smoothingAmount,
    querySelector: (selector) => (selector === '#smoothing-amount' ? smoothingAmount : null),
    addEventListener: (type, fn) => {
      listeners[type] = fn;
    },
  };
}

// As the page does (page.js): a preset chosen in the menu, or a field edited by hand.
function choose(settingsForm, name) {
  settingsForm.form.elements.preset.value = name;
  settingsForm.applyPreset(name);
}
function edit(settingsForm, name, value) {
  const field = settingsForm.form.elements[name];
  if (field.type === 'checkbox') field.checked = value;
  else field.value = value;
  settingsForm.form.elements.preset.value = settingsForm.matchingPreset();
}

test('the default preset sends its own warm-up and label smoothing', () => {
  const settingsForm = createSettingsForm(fakeForm(), PRESETS, TRAIN_EXAMPLES);
  const { settings } = settingsForm.read();
  assert.deepEqual(settings.schedule, { kind: 'warmupCosine', warmup: 0.02 });
  assert.equal(settings.labelSmoothing, 0.1);
  assert.equal(settingsForm.form.smoothingAmount.textContent, '0.1');
});

test('another preset sends its own warm-up and label smoothing, not the default preset\'s', () => {
  const settingsForm = createSettingsForm(fakeForm(), PRESETS, TRAIN_EXAMPLES);
  choose(settingsForm, 'handwriting');
  const { settings } = settingsForm.read();
  assert.deepEqual(settings.schedule, { kind: 'warmupCosine', warmup: 0.05 });
  assert.equal(settings.labelSmoothing, 0.2);
  assert.equal(settingsForm.form.smoothingAmount.textContent, '0.2', 'the box shows the amount it sends');
});

test('a preset edited into "Custom" keeps the warm-up and smoothing of the preset it came from', () => {
  const settingsForm = createSettingsForm(fakeForm(), PRESETS, TRAIN_EXAMPLES);
  choose(settingsForm, 'handwriting');
  edit(settingsForm, 'learningRate', '0.001');
  assert.equal(settingsForm.form.elements.preset.value, 'custom');
  const { settings } = settingsForm.read();
  assert.equal(settings.optimizer.learningRate, 0.001);
  assert.deepEqual(settings.schedule, { kind: 'warmupCosine', warmup: 0.05 });
  assert.equal(settings.labelSmoothing, 0.2);
  // Unticked, the boxes send none.
  edit(settingsForm, 'schedule', false);
  edit(settingsForm, 'labelSmoothing', false);
  assert.deepEqual(settingsForm.read().settings.schedule, { kind: 'constant' });
  assert.equal(settingsForm.read().settings.labelSmoothing, 0);
});

test('ticking the boxes on a preset without a schedule or smoothing switches on the default recipe\'s', () => {
  const settingsForm = createSettingsForm(fakeForm(), PRESETS, TRAIN_EXAMPLES);
  choose(settingsForm, 'seed');
  assert.deepEqual(settingsForm.read().settings.schedule, { kind: 'constant' });
  assert.equal(settingsForm.read().settings.labelSmoothing, 0);
  assert.equal(settingsForm.form.smoothingAmount.textContent, '0.1');
  edit(settingsForm, 'schedule', true);
  edit(settingsForm, 'labelSmoothing', true);
  const { settings } = settingsForm.read();
  assert.deepEqual(settings.schedule, { kind: 'warmupCosine', warmup: 0.02 });
  assert.equal(settings.labelSmoothing, 0.1);
});

test('a form edited until it matches another preset sends that preset\'s values, as the menu says', () => {
  const settingsForm = createSettingsForm(fakeForm(), PRESETS, TRAIN_EXAMPLES);
  choose(settingsForm, 'handwriting');
  edit(settingsForm, 'layers', '128');
  edit(settingsForm, 'learningRate', '0.005');
  assert.equal(settingsForm.form.elements.preset.value, 'custom');
  assert.equal(settingsForm.read().settings.labelSmoothing, 0.2, 'still Handwriting\'s');
  edit(settingsForm, 'augment', false);
  assert.equal(settingsForm.form.elements.preset.value, 'default');
  const { settings } = settingsForm.read();
  assert.deepEqual(settings.schedule, { kind: 'warmupCosine', warmup: 0.02 });
  assert.equal(settings.labelSmoothing, 0.1);
  assert.equal(settingsForm.form.smoothingAmount.textContent, '0.1');
});
