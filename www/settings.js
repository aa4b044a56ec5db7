// The settings form: the Recipe menu with Rust's presets (Session.presets, from src/presets.rs), and
// the fields turned into the settings object Rust checks, and back. Only text-to-number conversion
// happens here; whether a value makes sense is decided in Rust.

export const FIELDS = ['layers', 'optimizer', 'learningRate', 'batchSize', 'epochs', 'schedule', 'labelSmoothing', 'augment'];
// The form starts with this preset.
const DEFAULT_PRESET = 'default';
// The optimiser menu's full-batch gradient descent: plain SGD on the whole training set per step.
const FULL_BATCH = 'gd';
const ALL = 'all';

function number(text, label) {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`${label} must be a number (got “${text}”).`);
  return value;
}

function wholeNumber(text, label) {
  if (!/^\d+$/.test(text)) throw new Error(`${label} must be a whole number (got “${text}”).`);
  return Number(text);
}

/**
 * createSettingsForm(form, presets, trainExamples) → the settings form:
 *   read() → { settings, seed } for Session.reset; throws an Error with a message for the person
 *     when a field is not a number at all. readSeed() → the Seed field's seed, or undefined.
 *   applyPreset(name), matchingPreset() → a preset's name or 'custom', syncBatchField()
 *   markLiveFields(names): tags each field as changing a run under way (its name is in `names`,
 *     Session.info().liveSettings) or waiting for Reset, and points it at the legend saying which
 *   form, presets, trainExamples: what it was made with
 * presets: Session.presets() — [{ name, label, settings }]. Fills the Recipe menu and makes the
 * default preset's values the fields' defaults (what form.reset() and a link without them mean).
 */
export function createSettingsForm(form, presets, trainExamples) {
  const defaults = (presets.find((p) => p.name === DEFAULT_PRESET) ?? presets[0]).settings;
  const fields = form.elements;
  const value = (name) => (fields[name].type === 'checkbox' ? fields[name].checked : fields[name].value.trim());

  // Rust's settings as the form's field values: numbers as text, full batch as "gd" and "all".
  function fieldsOf(settings) {
    const fullBatch = settings.optimizer.kind === 'sgd' && settings.batchSize === trainExamples;
    return {
      layers: settings.layers,
      optimizer: fullBatch ? FULL_BATCH : settings.optimizer.kind,
      learningRate: String(settings.optimizer.learningRate),
      batchSize: fullBatch ? ALL : String(settings.batchSize),
      epochs: String(settings.epochs),
      schedule: settings.schedule.kind !== 'constant',
      labelSmoothing: settings.labelSmoothing > 0,
      augment: settings.augment,
    };
  }
  const presetFields = new Map(presets.map((p) => [p.name, fieldsOf(p.settings)]));
  const defaultFields = fieldsOf(defaults);
  const presetSettings = new Map(presets.map((p) => [p.name, p.settings]));

  // The preset the form's values came from: the one the Recipe menu shows, or under "Custom" the last
  // one it showed — someone who picks Handwriting and then changes its learning rate still expects
  // Handwriting's warm-up, not the default recipe's. Kept wherever the menu gets a preset
  // (applyPreset, matchingPreset, form.reset()).
  let lastPreset = DEFAULT_PRESET;
  const sourceSettings = () => presetSettings.get(lastPreset) ?? defaults;
  // What the Schedule and Label smoothing boxes switch on: the source preset's own, or the default
  // recipe's when that preset has none (ticking them on the Seed network's form adds the recipe's).
  function boxedSchedule() {
    const own = sourceSettings().schedule;
    return own.kind !== 'constant' ? own : defaults.schedule;
  }
  function boxedSmoothing() {
    const own = sourceSettings().labelSmoothing;
    return own > 0 ? own : defaults.labelSmoothing;
  }
  // The box's caption shows the amount it switches on.
  const smoothingAmount = form.querySelector('#smoothing-amount');
  function cameFrom(name) {
    lastPreset = name;
    smoothingAmount.textContent = String(boxedSmoothing());
  }
  // form.reset() puts the menu back on the default preset (its default option) without an 'input'.
  form.addEventListener('reset', () => cameFrom(DEFAULT_PRESET));

  function setField(name, wanted, asDefault) {
    const field = fields[name];
    if (field.type === 'checkbox') {
      if (asDefault) field.defaultChecked = wanted;
      field.checked = wanted;
    } else if (field.tagName === 'SELECT') {
      if (asDefault) for (const option of field.options) option.defaultSelected = option.value === wanted;
      field.value = wanted;
    } else {
      if (asDefault) field.defaultValue = wanted;
      field.value = wanted;
    }
  }

  function syncBatchField() {
    const batch = fields.batchSize;
    const fullBatch = fields.optimizer.value === FULL_BATCH;
    batch.disabled = fullBatch;
    if (fullBatch) batch.value = ALL;
    else if (batch.value === ALL) batch.value = defaultFields.batchSize;
  }

  function readSeed() {
    const text = value('seed');
    return text === '' ? undefined : wholeNumber(text, 'The seed');
  }

  function read() {
    const kind = value('optimizer');
    const learningRate = number(value('learningRate'), 'The learning rate');
    const batchSize = kind === FULL_BATCH ? trainExamples : wholeNumber(value('batchSize'), 'The batch size');
    const epochs = number(value('epochs'), 'Epochs');
    const seed = readSeed();
    return {
      settings: {
        // The layers' notation goes to Rust as written: it is read (and refused, with a reason) there.
        layers: value('layers'),
        optimizer: { kind: kind === FULL_BATCH ? 'sgd' : kind, learningRate },
        batchSize,
        epochs,
        schedule: value('schedule') ? boxedSchedule() : { kind: 'constant' },
        labelSmoothing: value('labelSmoothing') ? boxedSmoothing() : 0,
        augment: value('augment'),
      },
      seed,
    };
  }

  // The Recipe menu: the presets, then "Custom" (in the page) for anything else.
  const custom = [...fields.preset.options].find((o) => o.value === 'custom');
  for (const preset of presets) fields.preset.add(new Option(preset.label, preset.name), custom);
  setField('preset', DEFAULT_PRESET, true);
  for (const name of FIELDS) setField(name, defaultFields[name], true);
  cameFrom(DEFAULT_PRESET);
  syncBatchField();

  return {
    form,
    presets,
    trainExamples,
    read,
    readSeed,
    syncBatchField,
    markLiveFields(names) {
      for (const name of [...FIELDS, 'seed']) {
        const label = fields[name].closest('label');
        const applies = names.includes(name) ? 'live' : 'reset';
        label.dataset.applies = applies;
        // Only the live fields carry a tag, right after their caption: nine tags in a small form
        // were clutter, and the few that change a run under way are the news.
        if (applies === 'live') {
          const tag = document.createElement('span');
          tag.className = 'applies applies-live';
          tag.setAttribute('aria-hidden', 'true'); // the legend, not the field's name, says it
          tag.textContent = 'live';
          // The caption and its tag in one box, so that they stay on one line in the field's column.
          const text = [...label.childNodes].find((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
          let caption = label.querySelector(':scope > span');
          if (text) {
            caption = document.createElement('span');
            caption.textContent = text.textContent.trim();
            text.replaceWith(caption);
          }
          caption.append(tag);
        }
        const described = fields[name].getAttribute('aria-describedby');
        fields[name].setAttribute('aria-describedby', [described, `${applies}-help`].filter(Boolean).join(' '));
      }
    },
    applyPreset(name) {
      const preset = presetFields.get(name);
      if (!preset) return;
      cameFrom(name);
      for (const key of FIELDS) setField(key, preset[key], false);
      syncBatchField();
    },
    matchingPreset() {
      for (const [name, preset] of presetFields) {
        if (FIELDS.every((key) => String(value(key)) === String(preset[key]))) {
          cameFrom(name);
          return name;
        }
      }
      return 'custom';
    },
  };
}
