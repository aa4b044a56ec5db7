// Settings in the page's address, so that a link reproduces an experiment:
//   index.html?layers=64&seed=3&augment=1
//   index.html?layers=c8k5-p2-c16k5-p2-128
// (Links from before ConvNets said hidden=256,128: read as layers=256,128, which Rust reads.)
// Each form field is a query parameter of the same name (checkboxes are 1 or 0). Only the fields that
// differ from the page's defaults are written, so links stay short; a missing one means the default.
// Once a run starts from a random seed, the seed it drew is written too: the link then reproduces
// that very run. The address is replaced (history.replaceState), so editing adds no history entries.
import { FIELDS } from './settings.js';

const PARAMS = [...FIELDS, 'seed'];
// Older names of parameters, read when the current one is absent.
const FORMER_NAMES = { layers: 'hidden' };
const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

function defaultValue(field) {
  if (field.type === 'checkbox') return field.defaultChecked;
  if (field.tagName === 'SELECT') return [...field.options].find((o) => o.defaultSelected)?.value ?? field.options[0]?.value;
  return field.defaultValue;
}

function currentValue(field) {
  return field.type === 'checkbox' ? field.checked : field.value.trim();
}

// The form's fields that differ from their defaults, as query parameters.
function formToParams(form) {
  const params = new URLSearchParams();
  for (const name of PARAMS) {
    const field = form.elements[name];
    const value = currentValue(field);
    // Full-batch gradient descent shows "all" in a disabled batch field: implied by the optimiser.
    if (name === 'batchSize' && field.disabled) continue;
    if (value === defaultValue(field)) continue;
    params.set(name, field.type === 'checkbox' ? (value ? '1' : '0') : value);
  }
  return params;
}

// Fills the form from query parameters; returns the problems found (unknown values are skipped).
function paramsToForm(form, params) {
  const problems = [];
  for (const name of PARAMS) {
    const given = params.has(name) ? name : FORMER_NAMES[name];
    if (!given || !params.has(given)) continue;
    const field = form.elements[name];
    const text = params.get(given).trim();
    if (field.type === 'checkbox') {
      if (TRUE.has(text.toLowerCase())) field.checked = true;
      else if (FALSE.has(text.toLowerCase())) field.checked = false;
      else problems.push(`${name}=${text} is neither 1 nor 0`);
    } else if (field.tagName === 'SELECT') {
      if ([...field.options].some((o) => o.value === text)) field.value = text;
      else problems.push(`there is no ${name} “${text}”`);
    } else {
      field.value = text;
    }
  }
  return problems;
}

function showProblem(message, text) {
  message.textContent = text;
  message.classList.add('invalid');
}

/**
 * Fills the settings form (settings.js) from the page's address, before the network is made with
 * the form's settings. Settings the network would refuse — check(settings) throws — are not used:
 * the form goes back to its defaults and the settings message says why, so a broken link still
 * opens a working page.
 */
export function readUrlSettings(settingsForm, message, check) {
  const { form } = settingsForm;
  const params = new URLSearchParams(location.search);
  if (![...PARAMS, ...Object.values(FORMER_NAMES)].some((name) => params.has(name))) return;
  const problems = paramsToForm(form, params);
  settingsForm.syncBatchField();
  form.elements.preset.value = settingsForm.matchingPreset();
  try {
    check(settingsForm.read().settings);
  } catch (error) {
    form.reset();
    settingsForm.syncBatchField();
    showProblem(message, `The settings in the address were not used: ${error.message}`);
    return;
  }
  if (problems.length) showProblem(message, `Some settings in the address were not used: ${problems.join('; ')}.`);
}

/** Keeps the address in step with the form, and with the seed a run actually uses. */
export function setupUrlSettings(page, { form }) {
  let drawnSeed = null; // the seed of the current run when the form's Seed field is empty

  const write = () => {
    const params = formToParams(form);
    if (!params.has('seed') && drawnSeed !== null) params.set('seed', String(drawnSeed));
    const query = params.toString();
    const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
  };

  // 'change' covers the preset menu, which sets several fields at once without 'input' events.
  // Settings changed in a run under way keep its seed: the address then shows the run's settings
  // as they are now, with the seed it drew.
  form.addEventListener('input', (event) => {
    if (event.target.name === 'seed') drawnSeed = null;
    write();
  });
  form.addEventListener('change', write);
  // Fresh weights: the run has not started yet, so there is no seed to record.
  page.on('reset', () => {
    drawnSeed = null;
  });
  // The first report of a run: it really uses info.seed (drawn at random if the field is empty).
  page.on('report', () => {
    if (drawnSeed !== null || form.elements.seed.value.trim() !== '' || !page.info) return;
    drawnSeed = page.info.seed;
    write();
  });
  write();
}
