// The handwriting benchmark: draws every digit of bench/handwriting/strokes.mjs with the mouse on the
// page's Drawing pad — small, medium and large, in the middle and towards the corners — and reads the
// Prediction, in headless Chromium and Firefox, for two models: the pretrained one the page starts
// with, and a network trained in the page from scratch with the default settings and seed 7.
// Prints a table of accuracy per digit and overall, and writes artifacts/bench-handwriting.md.
//
//   node bench/handwriting/run.mjs [--browsers chromium,firefox] [--models pretrained,trained]
//                                  [--places 3] [--limit N]
// (scripts/bench-handwriting.sh builds the page first and runs this.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BROWSERS, launchBrowser } from '../../tests/e2e/browsers.mjs';
import { startServer } from '../../tests/e2e/server.mjs';
import {
  FINISH_TIMEOUT, LOAD_TIMEOUT, SEL, clickButton, frames, openPage, setSeed, waitForState,
} from '../../tests/e2e/helpers.mjs';
import { drawDigit } from '../../tests/e2e/strokes.mjs';
import { PLACES, PLACES_PER_DIGIT, SET } from './strokes.mjs';

const TRAIN_SEED = 7;
const TARGET = 0.95;
const REPORT = fileURLToPath(new URL('../../artifacts/bench-handwriting.md', import.meta.url));

const { values: options } = parseArgs({
  options: {
    browsers: { type: 'string', default: BROWSERS.join(',') },
    models: { type: 'string', default: 'pretrained,trained' },
    places: { type: 'string', default: String(PLACES_PER_DIGIT) },
    limit: { type: 'string' },
  },
});
const browsers = options.browsers.split(',').filter(Boolean);
const models = options.models.split(',').filter(Boolean);
const placesPerDigit = Number(options.places);
const drawings = SET.slice(0, options.limit ? Number(options.limit) : SET.length);

/** The places drawing number `index` is drawn at: taken in turn, so all are used about equally. */
const placesFor = (index) =>
  Array.from({ length: placesPerDigit }, (_, k) => PLACES[(index * placesPerDigit + k) % PLACES.length]);

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
  const accuracy = await page.$eval(SEL.accuracy, (el) => el.textContent.trim());
  return { context, page, log, description: await page.$eval('#model-in-use', (el) => el.textContent), accuracy };
}

async function readDrawings(page, label) {
  const results = [];
  let n = 0;
  const total = drawings.length * placesPerDigit;
  for (const [index, { digit, style, strokes }] of drawings.entries()) {
    for (const place of placesFor(index)) {
      await clickButton(page, 'Clear');
      await drawDigit(page, SEL.pad, strokes, place);
      await frames(page, 3); // the pad reports its change in the next frame; the answer follows at once
      const [read, confidence] = await page.evaluate((selector) => [
        document.querySelector(selector).textContent.trim(), document.getElementById('confidence').textContent.trim(),
      ], SEL.prediction);
      results.push({ digit, style, place: place.label, read, confidence, correct: read === String(digit) });
      n += 1;
      if (n % 50 === 0) process.stderr.write(`  ${label}: ${n}/${total} drawn\n`);
    }
  }
  return results;
}

function summarise(results) {
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const mine = results.filter((r) => r.digit === d);
    return { correct: mine.filter((r) => r.correct).length, total: mine.length };
  });
  const correct = results.filter((r) => r.correct).length;
  const unsure = results.filter((r) => /^Not sure/.test(r.confidence)).length;
  return { perDigit, correct, total: results.length, accuracy: correct / results.length, unsure };
}

const pct = (x) => `${(x * 100).toFixed(1)} %`;

function table(rows) {
  const header = ['browser', 'model', ...Array.from({ length: 10 }, (_, d) => String(d)), 'overall', 'not sure'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { browser, model, summary } of rows) {
    const digits = summary.perDigit.map(({ correct, total }) => (total ? `${Math.round((100 * correct) / total)}` : '—'));
    lines.push(`| ${browser} | ${model} | ${digits.join(' | ')} | **${pct(summary.accuracy)}** (${summary.correct}/${summary.total}) | ${summary.unsure} |`);
  }
  return lines.join('\n');
}

async function main() {
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
            rows.push({ browser: name, model, summary });
            details.push({ browser: name, model, description, accuracy, results, summary, seconds: (Date.now() - started) / 1000 });
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

  const styles = new Set(drawings.map((d) => `${d.digit}/${d.style}`)).size;
  const intro = `Handwriting benchmark: ${drawings.length} stroke-drawn digits (${styles} styles, ` +
    `bench/handwriting/strokes.mjs), each drawn with the mouse at ${placesPerDigit} of ${PLACES.length} sizes and ` +
    `places on the page's pad — ${drawings.length * placesPerDigit} drawings per browser and model. ` +
    `Per-digit columns are % read correctly; target ${pct(TARGET)} overall.`;
  const summaryTable = table(rows);
  console.log(`\n${intro}\n\n${summaryTable}\n`);

  const sections = details.map(({ browser, model, description, accuracy, results, seconds }) => {
    const misses = results.filter((r) => !r.correct);
    const list = misses.map((r) => `- ${r.digit} “${r.style}”, ${r.place}: read as ${r.read || '(nothing)'} (${r.confidence})`);
    return `### ${browser}, ${model}\n\n${description} Test accuracy ${accuracy}. ${seconds.toFixed(0)} s.\n\n` +
      `Misread (${misses.length}):\n\n${list.join('\n') || '- none'}\n`;
  });
  const places = PLACES.map((p) => `${p.label} (${Math.round(p.size * 100)} % of the pad)`).join('; ');
  mkdirSync(new URL('../../artifacts/', import.meta.url), { recursive: true });
  writeFileSync(REPORT, `# Handwriting benchmark\n\n${new Date().toISOString()}\n\n${intro}\n\nPlaces: ${places}.\n\n` +
    `${summaryTable}\n\n${sections.join('\n')}`);
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
