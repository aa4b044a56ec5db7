// Keeping models: the pretrained model the page starts with, downloading the model in use, loading a
// model file, and a copy kept in this browser (IndexedDB) that comes back on reload — with Your
// digits, which the model file carries (a network taught your handwriting is kept after each lesson).
// Rust reads and checks every model file (Session.importModel keeps the current network when a file
// is wrong); this module only moves bytes around and says which model is in use.
import { formatAccuracy, formatMegabytes } from './format.js';
import { describeChange } from './live-settings.js';

const PRETRAINED_URL = 'models/pretrained.inkling';
const DB_NAME = 'inkling';
const DB_STORE = 'models';
const SAVED_KEY = 'autosave';
// Files beyond this are refused before they are read into memory; Rust checks the real limit.
const MAX_FILE_BYTES = 64 * 1024 * 1024;

// ---- IndexedDB: one record, the model to restore -------------------------------------------------

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDatabase() {
  if (!globalThis.indexedDB) return Promise.reject(new Error('this browser has no IndexedDB'));
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(DB_STORE);
  return request(req);
}

async function withStore(mode, action) {
  const db = await openDatabase();
  try {
    const tx = db.transaction(DB_STORE, mode);
    const result = await request(action(tx.objectStore(DB_STORE)));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

const readSaved = () => withStore('readonly', (store) => store.get(SAVED_KEY));
const writeSaved = (record) => withStore('readwrite', (store) => store.put(record, SAVED_KEY));
const deleteSaved = () => withStore('readwrite', (store) => store.delete(SAVED_KEY));

// ---- What the page says about the model in use ---------------------------------------------------

function describeModel(model) {
  const list = [model.network, model.accuracy != null && `${formatAccuracy(model.accuracy)} on the test set`,
    model.taught && 'taught your handwriting'];
  const facts = list.some(Boolean) ? ` (${list.filter(Boolean).join(', ')})` : '';
  const scratch = ' — Train to start from scratch.';
  switch (model.source) {
    case 'pretrained': return `Using the pretrained model${facts}${scratch}`;
    case 'saved': return `Using your model saved in this browser${facts}${scratch}`;
    case 'file': return `Using the model from ${model.name}${facts}${scratch}`;
    case 'training': return `Training a new network here${facts}.`;
    case 'trained': return `Using the network trained here${facts}.`;
    case 'missing': return `Fresh, untrained weights${facts}: no pretrained model on this server ` +
      '(scripts/build.sh makes one) — Train to make your own.';
    default: return `Fresh, untrained weights${facts} — Train them, or use the pretrained model.`;
  }
}

// The description stored in files of networks trained here, like the native trainer's.
function trainedDescription(page, model) {
  const { info } = page;
  const examples = page.lastReport?.totalExamples ?? 0;
  const changes = info.settingsChanges.map(describeChange).join('; ');
  return `${info.convolutional ? 'ConvNet' : 'MLP'} ${info.network} trained in the browser${info.settings.augment ? ' with augmentation' : ''}, ` +
    `seed ${info.seed}, ${examples} examples` +
    (model.accuracy != null ? `; test accuracy ${formatAccuracy(model.accuracy)}` : '') +
    (changes ? `; settings changed during training: ${changes}` : '');
}

function downloadName(model) {
  const base = model.source === 'file' ? model.name.replace(/\.inkling$/i, '') : `inkling-${model.network}`;
  return `${base}${model.source === 'pretrained' ? '-pretrained' : ''}.inkling`;
}

/**
 * Wires the model buttons; puts models in use through page.importModel. Returns { start() }: loads
 * the model to begin with — the one saved in this browser, else the pretrained one — and resolves
 * once it is in use (or known to be missing).
 */
export function setupModelStore(page) {
  const ui = {
    line: document.getElementById('model-in-use'),
    message: document.getElementById('model-message'),
    download: document.getElementById('download-model'),
    load: document.getElementById('load-model'),
    pretrained: document.getElementById('use-pretrained'),
    file: document.getElementById('model-file'),
  };
  // The model in use: { source, name, description, network, accuracy }; source is one of 'fresh',
  // 'missing' (fresh, and no pretrained model on the server), 'pretrained', 'saved', 'file',
  // 'training' and 'trained'.
  let model = { source: 'fresh' };
  // How many times another model came in use (a new network, training, a lesson, a source): a save
  // says "Saved" only if the model it kept is still the one in use. A new test accuracy is a
  // measurement of the same model, not another one, so it is not counted.
  let modelChanges = 0;
  const changeModel = (next) => {
    model = next;
    modelChanges += 1;
  };
  let incoming = null; // the model file being put in use: its 'reset' event makes it the model
  let pretrainedBytes = null;
  let saveTimer = 0;

  const show = () => {
    ui.line.textContent = describeModel(model);
  };
  const say = (text, problem = false) => {
    ui.message.textContent = text;
    ui.message.classList.toggle('invalid', problem);
  };

  // Puts a model file's network in use. Throws (and keeps the current network) if Rust refuses it.
  function useModel(bytes, origin) {
    incoming = origin;
    try {
      page.importModel(bytes);
    } finally {
      incoming = null;
    }
  }

  async function fetchPretrained() {
    if (!pretrainedBytes) {
      const response = await fetch(new URL(PRETRAINED_URL, document.baseURI), { cache: 'no-cache' });
      if (!response.ok) return null;
      pretrainedBytes = new Uint8Array(await response.arrayBuffer());
    }
    return pretrainedBytes;
  }

  async function save() {
    saveTimer = 0;
    const saving = model;
    const changesAtSave = modelChanges;
    if (saving.source !== 'trained' && saving.source !== 'file' && !saving.taught) return;
    const description = saving.source === 'trained' ? trainedDescription(page, saving) : (saving.description ?? '');
    try {
      await writeSaved({
        bytes: page.session.exportModel(description), description, source: saving.source, name: saving.name ?? null,
        accuracy: saving.accuracy, savedAt: Date.now(),
      });
      if (modelChanges === changesAtSave) say('Saved in this browser: it comes back when you reload the page.');
    } catch (error) {
      say(`Could not keep the model in this browser (${error.message}); download it to keep it.`, true);
    }
  }
  // Saves shortly after the last of several triggers (a pause, then its final evaluation).
  const scheduleSave = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 250);
  };

  page.on('reset', ({ info, imported }) => {
    if (imported !== null && incoming) {
      const taught = incoming.source === 'saved' && page.yourDigits().length > 0;
      changeModel({ ...incoming, description: imported, network: info.network, accuracy: null, taught });
    } else {
      changeModel({ source: model.source === 'missing' ? 'missing' : 'fresh', network: info.network });
    }
    show();
  });
  page.on('report', () => {
    if (model.source === 'fresh' || model.source === 'missing' || model.source === 'trained') {
      changeModel({ ...model, source: 'training' });
      say('');
      show();
    }
  });
  page.on('evaluation', (evaluation) => {
    model = { ...model, accuracy: evaluation.accuracy };
    show();
    if (model.source === 'trained' && page.state !== 'training') scheduleSave();
  });
  // A lesson changed the weights, or Your digits changed: keep the network with its digits.
  page.on('lesson', ({ phase }) => {
    if (phase !== 'done') return;
    changeModel({ ...model, taught: true });
    show();
    scheduleSave();
  });
  page.on('digits', () => {
    if (model.taught && !page.teaching) scheduleSave();
  });
  page.on('state', (state) => {
    const usable = state !== 'loading' && state !== 'error';
    for (const button of [ui.download, ui.load, ui.pretrained]) button.disabled = !usable;
    if (model.source === 'training' && state !== 'training') {
      // Paused or finished: a network trained here, worth keeping.
      changeModel({ ...model, source: 'trained' });
      show();
      scheduleSave();
    }
  });

  ui.download.addEventListener('click', () => {
    const description = model.description && model.source !== 'training' && model.source !== 'trained'
      ? model.description : trainedDescription(page, model);
    const blob = new Blob([page.session.exportModel(description)], { type: 'application/octet-stream' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = downloadName({ ...model, network: page.info.network });
    link.click();
    // Revoked later, not at once: a browser may still be reading the blob for the download.
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    say(`Downloaded ${link.download}.`);
  });

  ui.load.addEventListener('click', () => ui.file.click());
  ui.file.addEventListener('change', async () => {
    const file = ui.file.files[0];
    ui.file.value = ''; // choosing the same file again is a new change
    if (!file) return;
    try {
      if (file.size > MAX_FILE_BYTES) {
        throw new Error(`it is ${formatMegabytes(file.size, 0)}, far too large for a model file`);
      }
      useModel(new Uint8Array(await file.arrayBuffer()), { source: 'file', name: file.name });
    } catch (error) {
      say(`Could not load ${file.name}: ${error.message}. The model in use is kept.`, true);
      return;
    }
    say(`Loaded ${file.name}.`);
    scheduleSave();
  });

  ui.pretrained.addEventListener('click', async () => {
    try {
      const bytes = await fetchPretrained();
      if (!bytes) throw new Error('there is none on this server (scripts/build.sh makes one)');
      useModel(bytes, { source: 'pretrained' });
      // The pretrained model is what a reload gives again.
      clearTimeout(saveTimer);
      await deleteSaved().catch(() => {});
      say('');
    } catch (error) {
      say(`Could not use the pretrained model: ${error.message}.`, true);
    }
  });

  async function start() {
    const saved = await readSaved().catch(() => null);
    if (saved?.bytes) {
      try {
        useModel(new Uint8Array(saved.bytes), { source: 'saved', name: saved.name });
        return;
      } catch (error) {
        // A copy this build cannot read (or a damaged one) is dropped, not kept failing on every visit.
        console.warn(`The model saved in this browser could not be used: ${error.message}`);
        await deleteSaved().catch(() => {});
      }
    }
    try {
      const bytes = await fetchPretrained();
      if (bytes) {
        useModel(bytes, { source: 'pretrained' });
        return;
      }
    } catch (error) {
      say(`Could not load the pretrained model: ${error.message}.`, true);
    }
    changeModel({ source: 'missing', network: page.info.network });
    show();
  }

  show();
  return { start };
}
