// The handwriting benchmark: draws every digit of bench/handwriting/set.mjs (hand-written base shapes
// of strokes.mjs, each as written and in two variants) with the mouse on the page's Drawing pad — at
// 35–85 % of the pad, off-centre and slightly turned — and reads the Prediction, in headless Chromium
// and Firefox. By default with the pretrained model the page starts with; `--models pretrained,trained`
// adds a network trained in the page from scratch with the default settings and seed 7. Prints
// accuracy per digit, per style and overall, and the worst styles; writes artifacts/bench-handwriting.md
// (artifacts/bench-handwriting-quick.md with --limit).
//
//   node bench/handwriting/run.mjs [--browsers chromium,firefox] [--models pretrained[,trained]]
//                                  [--places 1] [--limit N (every k-th drawing, about N of them)]
// (scripts/bench-handwriting.sh builds the page first and runs this.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BROWSERS, launchBrowser } from '../../tests/e2e/browsers.mjs';
import { startServer } from '../../tests/e2e/server.mjs';
import {
  FINISH_TIMEOUT, LOAD_TIMEOUT, SEL, clickButton, frames, openPage, setSeed, waitForState,
} from '../../tests/e2e/helpers.mjs';
import { drawDigit } from '../../tests/e2e/strokes.mjs';
import { BASES } from './strokes.mjs';
import { MAX_TURN, PLACES_PER_DRAWING, SET, SIZES, VARIANTS, placement } from './set.mjs';
import { digitTable, missList, pct, styleTable, summarise, worstStyles } from './report.mjs';

const TRAIN_SEED = 7;
const TARGET = 0.95;

const { values: options } = parseArgs({
  options: {
    browsers: { type: 'string', default: BROWSERS.join(',') },
    models: { type: 'string', default: 'pretrained' },
    places: { type: 'string', default: String(PLACES_PER_DRAWING) },
    limit: { type: 'string' },
  },
});
const browsers = options.browsers.split(',').filter(Boolean);
const models = options.models.split(',').filter(Boolean);
const placesPerDrawing = Number(options.places);
if (!(Number.isInteger(placesPerDrawing) && placesPerDrawing >= 1)) throw new Error(`--places wants a whole number ≥ 1, not ${options.places}`);
// --limit N takes every k-th drawing, so a quick look still sees every digit; each keeps its place in
// SET, which its placement depends on, so it is drawn exactly as in a full run.
const step = options.limit ? Math.max(1, Math.ceil(SET.length / Number(options.limit))) : 1;
const chosen = [...SET.entries()].filter(([index]) => index % step === 0);
const drawings = chosen.map(([, drawing]) => drawing);
// A quick look writes its own report, so it never replaces a full run's.
const REPORT = fileURLToPath(new URL(`../../artifacts/bench-handwriting${options.limit ? '-quick' : ''}.md`, import.meta.url));

/** Starts the page in a fresh browser context (no saved model) and puts `model` in use. */
async function prepareModel(browser, server, model) {
  const context = await browser.createBrowserContext();
  const { page, log } = await openPage(context, server.url);
  await waitForState(page, 'ready', LOAD_TIMEOUT);
  const line = await page.$eval('#model-in-use', (el) => el.textContent);
  if (model === 'pretrained') {
    if (!/pretrained model/.test(line)) throw new Error(`the page did not start with the pretrained model: ${line}`);
  } else {
    // Default settings, seed 7, trained to the end of the run in the page.
    await setSeed(page, TRAIN_SEED);
    await clickButton(page, 'Train');
    await page.waitForFunction(
      (selector) => document.body.dataset.state !== 'training' && document.querySelector(selector).value === 1,
      { timeout: FINISH_TIMEOUT, polling: 250 }, SEL.progress,
    );
    await waitForState(page, 'paused');
  }
  // The test set is evaluated between frames after loading (a ConvNet's evaluation takes a few seconds).
  await page.waitForFunction((selector) => /\d/.test(document.querySelector(selector).textContent),
    { timeout: LOAD_TIMEOUT, polling: 250 }, SEL.accuracy);
  const accuracy = await page.$eval(SEL.accuracy, (el) => el.textContent.trim());
  return { context, page, log, description: await page.$eval('#model-in-use', (el) => el.textContent), accuracy };
}

async function readDrawings(page, label) {
  const results = [];
  let n = 0;
  const total = drawings.length * placesPerDrawing;
  for (const [index, drawing] of chosen) {
    const { digit, style, name, hand } = drawing;
    for (let k = 0; k < placesPerDrawing; k++) {
      const { strokes, place, label: where } = placement(drawing, index, k, placesPerDrawing);
      await clickButton(page, 'Clear');
      await drawDigit(page, SEL.pad, strokes, place);
      await frames(page, 3); // the pad reports its change in the next frame; the answer follows at once
      const [read, confidence] = await page.evaluate((selector) => [
        document.querySelector(selector).textContent.trim(), document.getElementById('confidence').textContent.trim(),
      ], SEL.prediction);
      results.push({ digit, style, name, hand, place: where, read, confidence, correct: read === String(digit) });
      n += 1;
      if (n % 100 === 0) process.stderr.write(`  ${label}: ${n}/${total} drawn\n`);
    }
  }
  return results;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

async function main() {
  const loadBefore = load();
  const server = await startServer();
  const rows = [];
  const details = [];
  try {
    for (const name of browsers) {
      const browser = await launchBrowser(name);
      try {
        for (const model of models) {
          const started = Date.now();
          process.stderr.write(`[${name}] ${model}: preparing the model…\n`);
          const { context, page, log, description, accuracy } = await prepareModel(browser, server, model);
          try {
            const results = await readDrawings(page, `[${name}] ${model}`);
            const summary = summarise(results);
            rows.push({ browser: name, model, results, summary });
            details.push({ browser: name, model, description, accuracy, results, seconds: (Date.now() - started) / 1000 });
            process.stderr.write(`[${name}] ${model}: ${pct(summary.accuracy)} (${summary.correct}/${summary.total}), ` +
              `${((Date.now() - started) / 1000).toFixed(0)} s\n`);
            if (log.pageErrors.length || log.consoleErrors.length) {
              process.stderr.write(`[${name}] page errors: ${JSON.stringify([...log.pageErrors, ...log.consoleErrors])}\n`);
            }
          } finally {
            await context.close();
          }
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.stop();
  }

  const loadAfter = load();
  const styles = new Set(drawings.map((d) => d.style)).size;
  const bases = new Set(drawings.map((d) => `${d.style}/${d.name}`)).size;
  const intro = `Handwriting benchmark: ${drawings.length} stroke-drawn digits — ${bases} of the ${BASES.length} hand-written ` +
    `shapes of bench/handwriting/strokes.mjs in ${styles} styles, each as written and in ${VARIANTS - 1} seeded variants ` +
    `(bench/handwriting/set.mjs) — each drawn with the mouse ${placesPerDrawing === 1 ? 'once' : `${placesPerDrawing} times`} ` +
    `on the page's pad at ${SIZES.map((x) => x * 100).join('–')} % of its side, off-centre and turned up to ±${MAX_TURN}°: ` +
    `${drawings.length * placesPerDrawing} drawings per browser and model. Per-digit and per-style columns are % read ` +
    `correctly; target ${pct(TARGET)} overall.`;
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); load average ${loadBefore} before, ${loadAfter} after.`;
  const summaryTable = digitTable(rows);
  const worst = worstStyles(rows, 10);
  console.log(`\n${intro}\n\n${summaryTable}\n\nWorst styles (all columns together):\n\n${worst}\n\n${machine}\n`);

  const sections = details.map(({ browser, model, description, accuracy, results, seconds }) =>
    `### ${browser}, ${model}\n\n${description} Test accuracy ${accuracy}. ${seconds.toFixed(0)} s.\n\n${missList(results)}`);
  mkdirSync(new URL('../../artifacts/', import.meta.url), { recursive: true });
  writeFileSync(REPORT, `# Handwriting benchmark\n\n${new Date().toISOString()}; ${machine}\n\n${intro}\n\n` +
    `## Per digit\n\n${summaryTable}\n\n## Worst styles\n\n${worst}\n\n## Per style\n\n${styleTable(rows)}\n\n` +
    `## Misreads\n\n${sections.join('\n')}`);
  console.log(`written ${REPORT}`);
  const failing = rows.filter((r) => r.summary.accuracy < TARGET);
  if (failing.length) {
    console.log(`below the ${pct(TARGET)} target: ${failing.map((r) => `${r.browser}/${r.model}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
