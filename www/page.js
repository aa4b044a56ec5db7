// The page's shared state and its one owner. A Page holds what the parts of the page share — the
// page state, the session, the run's info and last report — and is the only code that changes it.
// Features read it through getters, hear about changes as events (page.on('report', fn)), and ask
// for changes through its methods (pauseTraining, importModel). It also runs the controls that
// change it: Train, Step, Reset, the settings form and the drawing pad.
//
// Events, with their detail:
//   state(state)               'loading', 'ready', 'training', 'paused' or 'error'
//   reset({ info, imported })  a network was put in use: fresh weights from the form, or a model
//                              file's (imported: its description); info is Session.info()
//   settings({ info })         settings were edited during a run (Session.changeSettings); the
//                              changes made so far are info.settingsChanges
//   report(report)             after each training slice
//   evaluation(evaluation)     after a full pass over the test set
//   drawing(result | null)     the drawing's answer changed (null: nothing drawn)
//   lesson({ phase, label, ms, frames, error })  a lesson ("It's 7") began ('start'), was learnt
//                              ('done': ms in Rust over `frames` frames) or failed ('failed')
//   digits({ digits })         Your digits changed (a lesson, a removal, a clear; after 'reset'
//                              read page.yourDigits() too): digits is their number
//   visibility({ hidden })     the tab was hidden (no animation frames: training waits) or shown
import { Events } from './events.js';
import { formatCount } from './format.js';
import { createFrameScheduler } from './frame-scheduler.js';
import { createTrainLoop } from './train-loop.js';
import { createLessonLoop } from './lesson-loop.js';
import { describeChange, describeWaiting } from './live-settings.js';
import { SIDE } from './pictures.js';

const PREDICT_WHILE_TRAINING_MS = 250; // the drawing's answer follows the learning network this often
const HIDDEN_MESSAGE = 'Training is paused while this tab is hidden; it goes on when you come back.';
// One of Your digits as Rust keeps them: its label, then its SIDE × SIDE pixels as bytes.
const DIGIT_RECORD_BYTES = 1 + SIDE * SIDE;

function describeNetwork(info) {
  const s = info.settings;
  const kind = s.batchSize === info.trainExamples ? 'full-batch gradient descent' : `${s.optimizer.kind}, batch ${s.batchSize}`;
  return `Network ${info.network} (${formatCount(info.parameters)} parameters), ${kind}, seed ${info.seed}.`;
}

export class Page extends Events {
  #ui;
  #state = 'loading';
  #session = null;
  #info = null;
  #lastReport = null;
  #finished = false;
  // The form differs from the network in use in a setting that cannot change while it trains (or
  // the network came from a file): Train, Step and Reset start anew.
  #settingsPending = false;
  #loop = null;
  #lesson = null;
  #lastDrawing = null;
  #settingsForm = null;
  #pad = null;
  #predictedAt = -Infinity;
  #scheduler;
  #statusBeforeHidden = null;

  /** ui: the elements of the page's frame and of section 1's controls (see main.js). */
  constructor(ui) {
    super();
    this.#ui = ui;
    this.#scheduler = createFrameScheduler({
      onVisibility: (hidden) => this.#onVisibility(hidden),
      onError: (task, error) => {
        this.#ui.status.textContent = `Something went wrong (${task.name}): ${error.message}`;
      },
    });
    this.#setState('loading');
  }

  /** The page's one animation-frame loop: every per-frame job asks it for time (frame-scheduler.js). */
  get scheduler() {
    return this.#scheduler;
  }

  get state() {
    return this.#state;
  }

  get session() {
    return this.#session;
  }

  /** Session.info() of the network in use: sizes, parameters, data sizes, seed, settings. */
  get info() {
    return this.#info;
  }

  /** The last training report of this run, or null before its first step. */
  get lastReport() {
    return this.#lastReport;
  }

  /**
   * Starts the page on a session: wires the controls, makes the network from the form (the form's
   * settings were checked; if they still cannot be used, the session keeps its own and the settings
   * message says why) and shows it — features set up before this hear the first 'reset'.
   * parts: { settingsForm (settings.js), pad (draw-pad.js) }.
   */
  begin(session, { settingsForm, pad }) {
    this.#session = session;
    this.#settingsForm = settingsForm;
    this.#pad = pad;
    this.#loop = createTrainLoop(session, this.#scheduler, {
      onReport: (report) => this.#onReport(report),
      onEvaluation: (evaluation) => this.emit('evaluation', evaluation),
      onStop: (reason) => this.#onStop(reason),
      onError: (error) => this.#onTrainError(error),
    }, { batchSize: () => this.#info?.settings.batchSize ?? 0 });
    this.#lesson = createLessonLoop(session, this.#scheduler, {
      onDone: (spent) => this.#onLessonDone(spent),
      onError: (error) => this.#onLessonFailed(error),
    }, { waitWhile: () => this.#loop.evaluationPending });
    this.#wireControls();
    try {
      const { settings, seed } = settingsForm.read();
      session.reset(settings, seed);
    } catch (error) {
      this.#settingsMessage(error.message, true);
    }
    this.#showNetwork();
  }

  /** The page is ready for people: loading is over. */
  ready() {
    this.#setState('ready');
  }

  /**
   * Shows `message` in place of the page; nothing works after it. With `html`, the message is the
   * page's own markup (commands shown as code); other messages may quote input and stay text.
   */
  fail(message, { html = false } = {}) {
    this.#loop?.stop();
    if (html) this.#ui.error.innerHTML = message;
    else this.#ui.error.textContent = message;
    this.#ui.error.hidden = false;
    this.#setState('error');
  }

  /** Pauses the training, if it is running (the comparison runs only while it does not). */
  pauseTraining() {
    if (this.#loop?.running) this.#loop.pause();
  }

  /**
   * Puts a model file's network in use and returns its description; throws (and keeps the network
   * in use) if Rust refuses the file. The imported network is not a run of the form's settings:
   * Train, Step and Reset start a fresh one from the form, as after editing the settings.
   */
  importModel(bytes) {
    const description = this.#session.importModel(bytes);
    this.#loop.stop();
    this.#showNetwork(description);
    const { network, parameters } = this.#info;
    this.#ui.status.textContent = `Model ${network} (${formatCount(parameters)} parameters): ${description}`;
    this.#settingsPending = true;
    if (this.#state !== 'loading') this.#setState('ready');
    return description;
  }

  /** A lesson is being given: the network is learning a digit of yours. */
  get teaching() {
    return this.#lesson?.running ?? false;
  }

  /**
   * Your digits, oldest first: [{ label, pixels }] with 784 bytes of pixels each (Rust's records of
   * DIGIT_RECORD_BYTES: the label, then the pixels).
   */
  yourDigits() {
    const bytes = this.#session?.yourDigits() ?? new Uint8Array();
    const digits = [];
    for (let at = 0; at + DIGIT_RECORD_BYTES <= bytes.length; at += DIGIT_RECORD_BYTES) {
      digits.push({ label: bytes[at], pixels: bytes.subarray(at + 1, at + DIGIT_RECORD_BYTES) });
    }
    return digits;
  }

  /**
   * Teaches the network that the drawing on the pad is `label`: adds it to Your digits and gives
   * the lesson between frames (training pauses first); then the drawing is read again and the test
   * set evaluated. Throws (and changes nothing) if there is no drawing or Rust refuses it.
   */
  teach(label) {
    if (!this.#lastDrawing || this.#lesson.running) throw new Error('draw a digit first');
    this.pauseTraining();
    this.#session.teach(label, Float32Array.from(this.#lastDrawing.preview));
    this.#lesson.start();
    this.emit('lesson', { phase: 'start', label });
    this.emit('digits', { digits: this.yourDigits().length });
  }

  /** Takes digit `index` off Your digits. */
  forgetDigit(index) {
    this.#session.forgetDigit(index);
    this.emit('digits', { digits: this.yourDigits().length });
  }

  /** Clears Your digits. */
  forgetDigits() {
    this.#session.forgetDigits();
    this.emit('digits', { digits: 0 });
  }

  /** Asks the network what the drawing is, and tells everyone. */
  predictDrawing() {
    if (!this.#session) return;
    if (this.#pad.isEmpty) {
      this.#lastDrawing = null;
      this.emit('drawing', null);
      return;
    }
    const image = this.#pad.pixels();
    try {
      const result = this.#session.predictDrawing(image.data, image.width, image.height);
      this.#lastDrawing = result.empty ? null : result;
      this.emit('drawing', this.#lastDrawing);
    } catch (error) {
      this.#ui.status.textContent = error.message;
    }
  }

  #setState(state) {
    this.#state = state;
    document.body.dataset.state = state;
    const { train, step, reset } = this.#ui;
    const usable = state !== 'loading' && state !== 'error';
    train.disabled = !usable || this.#finished;
    train.textContent = state === 'training' ? 'Pause' : 'Train';
    train.setAttribute('aria-pressed', String(state === 'training'));
    step.disabled = !usable || state === 'training' || this.#finished;
    reset.disabled = !usable;
    this.emit('state', state);
  }

  #settingsMessage(text, problem = false) {
    this.#ui.settingsMessage.textContent = text;
    this.#ui.settingsMessage.classList.toggle('invalid', problem);
  }

  // The network in the session is new (fresh weights, or a file's): start its story over.
  #showNetwork(imported = null) {
    this.#finished = false;
    this.#lastReport = null;
    this.#info = this.#session.info();
    this.#ui.status.textContent = describeNetwork(this.#info);
    this.#loop.evaluateNow(0);
    this.emit('reset', { info: this.#info, imported });
    this.predictDrawing();
  }

  // Starts over with the form's settings. Returns false (and says why) if they make no sense.
  #applySettings() {
    try {
      const { settings, seed } = this.#settingsForm.read();
      this.#session.reset(settings, seed);
    } catch (error) {
      this.#settingsMessage(error.message, true);
      return false;
    }
    this.#settingsPending = false;
    this.#settingsMessage('');
    this.#showNetwork();
    return true;
  }

  // A run is under way (training, or paused part-way): settings change in it rather than restart it.
  #runUnderway() {
    return (this.#lastReport !== null || this.#state === 'training') && !this.#finished;
  }

  // New settings apply at once before any training; during a run, those that can change while it
  // trains apply from its next step and the others wait for Reset (or Train); a finished run waits.
  #settingsEdited() {
    if (!this.#lastReport && this.#state !== 'training') {
      this.#applySettings();
      this.#setState('ready');
    } else if (this.#runUnderway()) {
      this.#changeLiveSettings();
    } else {
      this.#settingsPending = true;
      this.#settingsMessage('New settings apply when you press Reset.');
    }
  }

  #changeLiveSettings() {
    let waiting;
    try {
      const { settings, seed } = this.#settingsForm.read();
      waiting = this.#session.changeSettings(settings);
      if (seed !== undefined && seed !== this.#info.seed) waiting.push('seed');
    } catch (error) {
      this.#settingsMessage(error.message, true);
      return;
    }
    this.#settingsPending = waiting.length > 0;
    this.#info = this.#session.info();
    this.emit('settings', { info: this.#info });
    // The latest change stays in view until another replaces it or the run starts over.
    const latest = this.#info.settingsChanges.at(-1);
    const applied = latest ? `${describeChange(latest)}.` : '';
    this.#settingsMessage([applied, describeWaiting(waiting)].filter(Boolean).join(' '));
  }

  #onReport(report) {
    this.#lastReport = report;
    this.emit('report', report);
    const now = performance.now();
    if (!this.#pad.isEmpty && now - this.#predictedAt > PREDICT_WHILE_TRAINING_MS) {
      this.#predictedAt = now;
      this.predictDrawing();
    }
  }

  // Animation frames stop while the tab is hidden, so training waits; say so, and take the message
  // back when the tab is shown (unless something else was said meanwhile).
  #onVisibility(hidden) {
    const status = this.#ui.status;
    if (hidden && this.#state === 'training') {
      this.#statusBeforeHidden = status.textContent;
      status.textContent = HIDDEN_MESSAGE;
    } else if (!hidden && this.#statusBeforeHidden !== null) {
      if (status.textContent === HIDDEN_MESSAGE) {
        status.textContent = this.#statusBeforeHidden;
      }
      this.#statusBeforeHidden = null;
    }
    this.emit('visibility', { hidden });
  }

  // The lesson is learnt: read the drawing again, and measure the test set again.
  #onLessonDone(spent) {
    this.emit('lesson', { phase: 'done', ...spent });
    this.predictDrawing();
    this.#loop.evaluateNow(this.#lastReport?.totalExamples ?? 0);
  }

  #onLessonFailed(error) {
    this.emit('lesson', { phase: 'failed', error });
    this.emit('digits', { digits: this.yourDigits().length });
    this.predictDrawing();
  }

  #onStop(reason) {
    if (reason === 'finished') {
      this.#finished = true;
      this.#ui.status.textContent = `Finished ${this.#info.settings.epochs} epochs. Draw digits to try it, or Reset to train again.`;
      this.predictDrawing();
    }
    this.#setState(this.#lastReport ? 'paused' : 'ready');
  }

  // Divergence and other training errors pause training; the network that was good is kept.
  #onTrainError(error) {
    this.#ui.status.textContent = error.message;
    this.#settingsMessage(error.message, true);
    this.#setState(this.#lastReport ? 'paused' : 'ready');
    this.#loop.evaluateNow(this.#lastReport?.totalExamples ?? 0);
  }

  #wireControls() {
    const { train, step, reset, form, preset } = this.#ui;
    const settingsForm = this.#settingsForm;
    train.addEventListener('click', () => {
      if (this.#state === 'training') {
        this.#loop.pause();
        return;
      }
      if (this.#settingsPending && !this.#applySettings()) return;
      this.#loop.start();
      this.#setState('training');
    });
    step.addEventListener('click', () => {
      if (this.#settingsPending && !this.#applySettings()) return;
      this.#loop.step();
      this.#setState('paused');
    });
    reset.addEventListener('click', () => {
      this.#loop.stop();
      this.#applySettings();
      this.#setState('ready');
    });
    preset.addEventListener('change', () => {
      settingsForm.applyPreset(preset.value);
      this.#settingsEdited();
    });
    // Before a run every keystroke applies; during one, a field applies once it is done with (its
    // 'change': Enter, leaving it, a click on a box), so typing 0.015 is not also 0.01 for a while.
    form.addEventListener('input', (event) => {
      if (event.target === preset) return;
      if (event.target.name === 'optimizer') settingsForm.syncBatchField();
      preset.value = settingsForm.matchingPreset();
      if (!this.#runUnderway()) this.#settingsEdited();
    });
    form.addEventListener('change', (event) => {
      if (event.target !== preset && this.#runUnderway()) this.#settingsEdited();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.#runUnderway()) this.#settingsEdited();
    });
  }
}
