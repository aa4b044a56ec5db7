// What the page says about settings changed while a run trains (Trainer::change_settings in Rust
// decides which settings may change and from which step; this module only words it).
import { formatCount } from './format.js';

// The names Rust uses for the settings (LIVE_SETTINGS, RESTART_SETTINGS), as people read them.
const LABELS = {
  learningRate: 'learning rate', momentum: 'momentum', decay: 'decay', epsilon: 'ε', beta1: 'β₁', beta2: 'β₂',
  schedule: 'warm-up + cosine decay', labelSmoothing: 'label smoothing', augment: 'augmentation',
  layers: 'the layers', optimizer: 'the optimiser', batchSize: 'the batch size', epochs: 'epochs', seed: 'the seed',
};

const onOff = (on) => (on ? 'on' : 'off');

// One changed setting with its new value: "learning rate 0.01", "augmentation on".
function settingWithValue(name, settings) {
  switch (name) {
    case 'schedule': return `${LABELS.schedule} ${onOff(settings.schedule.kind !== 'constant')}`;
    case 'labelSmoothing': return settings.labelSmoothing > 0 ? `label smoothing ${settings.labelSmoothing}` : 'label smoothing off';
    case 'augment': return `augmentation ${onOff(settings.augment)}`;
    default: return `${LABELS[name] ?? name} ${settings.optimizer[name]}`;
  }
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** A change as a line: "Learning rate 0.01, augmentation on from step 1,234". */
export function describeChange(change) {
  const what = change.changed.map((name) => settingWithValue(name, change.settings)).join(', ');
  return `${capitalised(what)} from step ${formatCount(change.step)}`;
}

/** The settings that wait for Reset: "Waits for Reset (a new network): the layers, epochs." */
export function describeWaiting(names) {
  if (!names.length) return '';
  return `Waits for Reset (a new network): ${names.map((name) => LABELS[name] ?? name).join(', ')}. The run goes on as it was.`;
}
