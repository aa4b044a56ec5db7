// Section 1's picture of the run: the progress bar, test accuracy, training loss, speed and time
// left, the loss and accuracy charts with the settings changed during the run, and the diagnostics
// line. It listens to the page and only
// displays what it hears.
import { formatAccuracy, formatCount, formatEpoch, formatMegabytes, formatPercent, formatSeconds } from './format.js';
import { describeChange } from './live-settings.js';

const SPEED_WINDOW_MS = 1500;      // examples per second over about the last second and a half
const DIAGNOSTICS_EVERY_MS = 500;
// The progress bar and the numbers above the charts change at most this often while training:
// every changed text is the browser's style, layout and paint work in that frame — measured in
// headless Chromium as 3–4 ms of every frame when they changed every frame, time the training lost.
const PROGRESS_EVERY_MS = 100;

// Whole percents, one decimal under 10 % (so a small share does not read as 0 %).
const percent = (share) => formatPercent(share, 'auto');

/**
 * setupRunView(page, ui, { charts, memoryBytes }): ui holds the section's elements (runProgress,
 * runProgressText, testAccuracy, trainLoss, speed, eta, memory, chartPoints, timeShare,
 * settingsChanges — a list under the loss chart, in words, of what its marker lines show);
 * memoryBytes() is the WebAssembly memory in use.
 */
export function setupRunView(page, ui, { charts, memoryBytes }) {
  let info = null;
  let samples = [];          // [time, examples so far] over the speed window
  let perSecond = 0;
  let diagnosticsAt = -Infinity;
  let progressAt = -Infinity;

  // Memory and chart sizes, for people curious about the cost (and for the long-run test).
  function showDiagnostics() {
    ui.memory.textContent = formatMegabytes(memoryBytes());
    ui.chartPoints.textContent = String(Math.max(...charts.pointCounts));
  }

  // Where the last seconds went, as the frame scheduler accounted them (the page benchmark reads
  // this same line). While training, once there is a second to go on; when a run stops, for its
  // last seconds (all of it, if it was short: a fast machine's default run lasts about a second and
  // a half) — and it says so, since those seconds are no longer "the last" once it has stopped.
  function showTimeShare({ stopped = false } = {}) {
    const usage = page.scheduler.usage();
    if (usage.spanMs < (stopped ? 250 : 1000)) return;
    const views = usage.share('views') + usage.share('comparison');
    const seconds = formatSeconds(usage.spanMs / 1000, usage.spanMs < 1000 ? 1 : 0);
    ui.timeShare.textContent = `time ${stopped ? 'in the run\u2019s last' : 'in the last'} ${seconds}: `
      + `training ${percent(usage.share('training'))}, test evaluation ${percent(usage.share('evaluation'))}, `
      + `charts and numbers ${percent(usage.share('show'))}`
      + (views >= 0.005 ? `, other views ${percent(views)}` : '')
      + ` · work budget ${usage.budgetMs.toFixed(1)} of ${usage.periodMs.toFixed(1)} ms a frame`;
  }

  function updateSpeed(report, now) {
    samples.push([now, report.totalExamples]);
    while (samples.length > 2 && now - samples[0][0] > SPEED_WINDOW_MS) samples.shift();
    const [t0, n0] = samples[0];
    if (now - t0 > 250) perSecond = ((report.totalExamples - n0) * 1000) / (now - t0);
  }

  function showProgress(report) {
    const planned = info.plannedExamples;
    ui.runProgress.value = Math.min(1, report.totalExamples / planned);
    ui.runProgressText.textContent = `epoch ${formatEpoch(report.epoch)} of ${info.settings.epochs}`;
    if (Number.isFinite(report.smoothedLoss)) ui.trainLoss.textContent = report.smoothedLoss.toFixed(3);
    if (perSecond) {
      ui.speed.textContent = formatCount(perSecond);
      const left = report.finished ? 0 : (planned - report.totalExamples) / perSecond;
      ui.eta.textContent = formatSeconds(left);
    }
  }

  // The changes of settings during the run: lines on the loss chart, and the same as a list.
  function showChanges() {
    const changes = info.settingsChanges;
    charts.setMarkers(changes.map((change) => ({
      x: change.examples / info.trainExamples, label: describeChange(change).replace(/ from step .*/, ''),
    })));
    ui.settingsChanges.replaceChildren(...changes.map((change) => {
      const item = document.createElement('li');
      item.textContent = `${describeChange(change)} (epoch ${formatEpoch(change.examples / info.trainExamples)})`;
      return item;
    }));
    ui.settingsChanges.hidden = changes.length === 0;
  }

  page.on('settings', (detail) => {
    info = detail.info;
    showChanges();
  });
  page.on('reset', (detail) => {
    info = detail.info;
    showChanges();
    samples = [];
    perSecond = 0;
    charts.clear();
    ui.runProgress.value = 0;
    ui.runProgressText.textContent = `epoch 0 of ${info.settings.epochs}`;
    for (const element of [ui.testAccuracy, ui.trainLoss, ui.speed, ui.eta]) element.textContent = '—';
  });
  page.on('report', (report) => {
    const now = performance.now();
    updateSpeed(report, now);
    charts.addTraining(report);
    charts.draw(now);
    // The numbers at most every PROGRESS_EVERY_MS, and always at the end of a run.
    if (now - progressAt > PROGRESS_EVERY_MS || report.finished) {
      progressAt = now;
      showProgress(report);
    }
    if (now - diagnosticsAt > DIAGNOSTICS_EVERY_MS) {
      diagnosticsAt = now;
      showDiagnostics();
      showTimeShare();
    }
  });
  // The run's figure when it stops: paused, up to the pause; finished, its final test pass
  // included (the run ends when its last weights have been measured).
  page.on('state', (state) => {
    if (state === 'paused') showTimeShare({ stopped: true });
  });
  // No frames while the tab is hidden: the speed is measured again from when it is shown, so the
  // hidden minutes do not count as slow training (the time left stays what it was).
  page.on('visibility', () => {
    samples = [];
  });
  page.on('evaluation', (evaluation) => {
    ui.testAccuracy.textContent = formatAccuracy(evaluation.accuracy);
    charts.addTest(evaluation, evaluation.atExamples / info.trainExamples);
    charts.draw(performance.now(), true);
    showDiagnostics();
  });
}
