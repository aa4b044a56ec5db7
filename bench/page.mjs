// The page's own training, as a visitor sees it: with the default settings, from fresh weights, how
// long after pressing Train the shown test accuracy (all 10,000 test images) first reaches 98 %, how
// evenly frames arrive meanwhile, how much WebAssembly memory the page holds, and the size of the
// wasm file gzipped. Started by scripts/bench-page.sh after the build; prints a table and writes it to
// artifacts/bench-page.md (raw numbers in artifacts/bench-page.json).
//
//   node bench/page.mjs [--browsers chromium,firefox] [--seeds 7,8,9]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BROWSERS, launchBrowser } from '../tests/e2e/browsers.mjs';
import { startServer } from '../tests/e2e/server.mjs';
import { LOAD_TIMEOUT, SEL, clickButton, openPage, setSeed, waitForState } from '../tests/e2e/helpers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET = { accuracy: 0.98, seconds: 10, frameMs: 20, smoothShare: 0.95, memoryMb: 100, wasmKb: 150 };
const say = (message) => process.stderr.write(`\x1b[1m[bench-page]\x1b[0m ${message}\n`);

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1].split(',') : fallback;
}
const browsers = option('browsers', BROWSERS);
const seeds = option('seeds', ['7', '8', '9']).map(Number);

/** One run: Train pressed on a freshly loaded page; resolves when the run has finished. */
async function run(browser, url, seed) {
  const { page, log } = await openPage(browser.defaultBrowserContext(), url);
  try {
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    await setSeed(page, seed);
    // Frame timestamps, every shown test accuracy and memory figure, timed from pressing Train.
    await page.evaluate((accuracy) => {
      const record = { frames: [], accuracy: [], memory: [], start: null };
      window.pageBench = record;
      const tick = (t) => { if (record.start !== null) record.frames.push(t); requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      const watch = (element, list) => new MutationObserver(() => {
        if (record.start !== null) list.push([performance.now() - record.start, element.textContent]);
      }).observe(element, { childList: true, characterData: true, subtree: true });
      watch(document.querySelector(accuracy), record.accuracy);
      watch(document.getElementById('memory'), record.memory);
      document.body.addEventListener('click', () => { record.start ??= performance.now(); }, { capture: true });
    }, SEL.accuracy);
    await clickButton(page, 'Train');
    await waitForState(page, 'paused', 300_000); // the run ends by itself
    const record = await page.evaluate(() => window.pageBench);
    if (log.pageErrors.length || log.consoleErrors.length) {
      throw new Error(`errors on the page: ${[...log.pageErrors, ...log.consoleErrors].join(' | ')}`);
    }
    const intervals = record.frames.slice(1).map((t, i) => t - record.frames[i]);
    const percent = (text) => Number(/([\d.]+)\s*%/.exec(text)?.[1]) / 100;
    const reached = record.accuracy.find(([, text]) => percent(text) >= TARGET.accuracy);
    const megabytes = record.memory.map(([, text]) => Number.parseFloat(text)).filter(Number.isFinite);
    const sorted = [...intervals].sort((a, b) => a - b);
    return {
      seed,
      secondsTo98: reached ? reached[0] / 1000 : null,
      finalAccuracy: percent(record.accuracy.at(-1)?.[1] ?? ''),
      frames: intervals.length,
      smoothShare: intervals.filter((d) => d <= TARGET.frameMs).length / Math.max(1, intervals.length),
      medianFrameMs: sorted[Math.floor(sorted.length / 2)] ?? null,
      worstFrameMs: sorted.at(-1) ?? null,
      memoryMaxMb: Math.max(...megabytes),
      memoryEndMb: megabytes.at(-1),
    };
  } finally {
    await page.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const wasm = readFileSync(`${ROOT}/www/pkg/inkling_bg.wasm`);
const wasmGzKb = gzipSync(wasm, { level: 9 }).length / 1000;

const server = await startServer();
const results = {};
try {
  for (const name of browsers) {
    const browser = await launchBrowser(name);
    try {
      const version = await browser.version();
      results[name] = { version, runs: [] };
      for (const seed of seeds) {
        const r = await run(browser, server.url, seed);
        say(`${name}, seed ${seed}: 98 % after ${r.secondsTo98?.toFixed(1) ?? '—'} s (final ${(100 * r.finalAccuracy).toFixed(2)} %), `
          + `${(100 * r.smoothShare).toFixed(1)} % of ${r.frames} frames ≤ ${TARGET.frameMs} ms, memory ≤ ${r.memoryMaxMb} MB`);
        results[name].runs.push(r);
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}

const lines = [];
const add = (line = '') => lines.push(line);
add('# The page: default settings, from fresh weights');
add();
add(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length} · `
  + `${Object.entries(results).map(([n, r]) => `${n} ${r.version}`).join(', ')} · seeds ${seeds.join(', ')} · load average at the end ${loadavg()[0].toFixed(2)}`);
add();
add('Seconds from pressing Train until the page shows a test accuracy of at least 98 % (all 10,000 test images, evaluated '
  + 'between frames on a copy of the weights, so the figure includes that lag); the share of frame intervals within 20 ms '
  + 'from pressing Train to the end of the run; the WebAssembly memory the page reports. Median over the seeds [min–max].');
add();
add('| | ' + Object.keys(results).join(' | ') + ' | target |');
add('|---|' + Object.keys(results).map(() => '---:|').join('') + '---|');
const span = (values, digits, unit = '') => {
  const v = values.filter((x) => x !== null && Number.isFinite(x));
  if (v.length < values.length) return `not reached in ${values.length - v.length} of ${values.length} runs`;
  return `${median(v).toFixed(digits)}${unit} [${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}]`;
};
const row = (label, pick, digits, unit, target, ok) => {
  const cells = Object.values(results).map((r) => {
    const values = r.runs.map(pick);
    const verdict = values.every((v) => v !== null && Number.isFinite(v) && ok(v)) ? ' ✓' : ' ✗';
    return span(values, digits, unit) + verdict;
  });
  add(`| ${label} | ${cells.join(' | ')} | ${target} |`);
};
row('seconds to 98 % test accuracy', (r) => r.secondsTo98, 1, ' s', `≤ ${TARGET.seconds} s`, (v) => v <= TARGET.seconds);
row('test accuracy at the end of the run', (r) => 100 * r.finalAccuracy, 2, ' %', '', () => true);
row('frames within 20 ms of the one before', (r) => 100 * r.smoothShare, 1, ' %', `≥ ${100 * TARGET.smoothShare} %`, (v) => v >= 100 * TARGET.smoothShare);
row('median frame interval', (r) => r.medianFrameMs, 1, ' ms', '', () => true);
row('WebAssembly memory, highest shown', (r) => r.memoryMaxMb, 1, ' MB', `≤ ${TARGET.memoryMb} MB`, (v) => v <= TARGET.memoryMb);
add();
add(`The wasm file (\`www/pkg/inkling_bg.wasm\`, ${(wasm.length / 1000).toFixed(1)} KB) is ${wasmGzKb.toFixed(1)} KB gzipped (-9) `
  + `${wasmGzKb <= TARGET.wasmKb ? '✓' : '✗'} (target ≤ ${TARGET.wasmKb} KB).`);
const text = lines.join('\n');
mkdirSync(`${ROOT}/artifacts`, { recursive: true });
writeFileSync(`${ROOT}/artifacts/bench-page.md`, `${text}\n`);
writeFileSync(`${ROOT}/artifacts/bench-page.json`, `${JSON.stringify({ wasmBytes: wasm.length, wasmGzKb, results }, null, 1)}\n`);
console.log(text);
say('written to artifacts/bench-page.md');
