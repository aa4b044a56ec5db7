#!/usr/bin/env node
// Runs the training benchmark page (bench/index.html) in headless Chromium and Firefox and prints one
// table: examples/s and GFLOP/s of every implementation at batch 64 and 256 in each browser, the
// speed-up ratios, and the same-work check. Normally started by scripts/bench-browser.sh, which
// builds what the page loads first.
//
//   node bench/run.mjs [--quick] [--browsers chromium,firefox] [--out artifacts/bench-browser.md]
//
// It starts its own static server (http-server on 127.0.0.1, a free port) and its own browsers, and
// stops each of them by its own PID.
import puppeteer from 'puppeteer-core';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FLOP_PER_EXAMPLE = 409_088; // forward + backward of 784-128-10: 2·(784·128 + 128·10)·2 + 2·128·10
const BATCHES = [64, 256];
const LEARNING_RATE = 0.05;
const SEED = 7;
// Largest relative difference of any step's loss from our simd build's. The last full run of
// scripts/bench-browser.sh measured 9.6e-7 at worst: float32 summed in another order. A wrong kernel
// is far off: natively, on these 256 images from the same seed, a first-layer weight gradient 0.1 %
// too large moves some step's loss by 9e-4, one hidden unit's gradient left out by 3e-3.
const TOLERANCE = 1e-5;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const QUICK = args.includes('--quick');
const BROWSER_NAMES = option('--browsers', 'chromium,firefox').split(',');
const OUT = resolve(ROOT, option('--out', 'artifacts/bench-browser.md'));
const PLAN = QUICK
  ? { runs: 3, runMs: 400, warmupMs: 400, checkSteps: 30 }
  : { runs: 7, runMs: 1500, warmupMs: 1500, checkSteps: 200 };
const CHECK_EXAMPLES = 256;

const say = (message) => process.stderr.write(`\x1b[1m[bench]\x1b[0m ${message}\n`);

// ---------------------------------------------------------------- server and browsers
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const bin = join(ROOT, 'node_modules/.bin/http-server');
  if (!existsSync(bin)) throw new Error('node_modules/.bin/http-server is missing: run scripts/setup.sh');
  const child = spawn(bin, [ROOT, '-a', '127.0.0.1', '-p', String(port), '-c-1', '-s'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '--no-deprecation' }, // http-server 14 trips a Node deprecation warning
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`http-server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}bench/index.html`)).ok) return { child, url };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('http-server did not start');
}

function find(candidates, name) {
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`${name} is not installed (looked for ${candidates.join(', ')}); run scripts/setup.sh --browsers`);
  return path;
}

// The launch of tests/e2e/browsers.mjs, plus what WebGL and long-running scripts need.
function launchBrowser(name) {
  const common = { headless: true, timeout: 120_000, protocolTimeout: 900_000, defaultViewport: { width: 1000, height: 700 } };
  if (name === 'chromium') {
    return puppeteer.launch({
      ...common,
      browser: 'chrome',
      executablePath: process.env.CHROMIUM_PATH ?? find(['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'Chromium'),
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
        // WebGL through SwiftShader (software) despite --disable-gpu; no throttling of the page.
        '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
        '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
      ],
    });
  }
  if (name === 'firefox') {
    return puppeteer.launch({
      ...common,
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? find(['/usr/bin/firefox-esr', '/usr/bin/firefox'], 'Firefox'),
      // Headless Firefox offers WebGL only through Mesa's llvmpipe with these.
      env: { ...process.env, EGL_PLATFORM: 'surfaceless', MOZ_WEBGL_FORCE_EGL: '1' },
      extraPrefsFirefox: {
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'datareporting.healthreport.uploadEnabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'webgl.force-enabled': true,
        'dom.max_script_run_time': 0,
      },
    });
  }
  throw new Error(`unknown browser ${name}`);
}

async function closeBrowser(browser) {
  const pid = browser.process()?.pid;
  try {
    await Promise.race([browser.close(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 20_000))]);
  } catch { /* killed below */ }
  if (pid) {
    try { process.kill(pid, 0); process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

// ---------------------------------------------------------------- measuring
// CPU seconds used so far by a process and all its descendants (the browser's renderer, GPU and
// content processes), from /proc: on a machine shared with other work, examples per CPU-second
// still says how fast an implementation is when wall-clock time says mostly how busy the machine was.
const CLOCK_TICKS = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100; } catch { return 100; }
})();
function treeCpuSeconds(rootPid) {
  if (!rootPid || !existsSync('/proc/self/stat')) return null;
  const children = new Map();
  const ticks = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is stat's 3rd field
      const pid = Number(name);
      const ppid = Number(fields[1]);
      ticks.set(pid, Number(fields[11]) + Number(fields[12])); // utime + stime
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(pid);
    } catch { /* the process ended meanwhile */ }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total / CLOCK_TICKS;
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function benchBrowser(name, url) {
  say(`${name}: starting`);
  const browser = await launchBrowser(name);
  const result = { name, version: await browser.version(), loadBefore: os.loadavg(), throughput: {} };
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(900_000);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message ?? String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${url}bench/index.html`);
    try {
      await page.waitForFunction('window.benchReady === true', { timeout: 120_000 });
    } catch (error) {
      throw new Error(`the bench page did not load in ${name}: ${errors.join(' | ') || error.message}`);
    }
    const info = await page.evaluate((seed) => window.bench.init({ seed }), SEED);
    Object.assign(result, info);
    for (const [backend, b] of Object.entries(info.backends)) {
      say(`${name}: TF.js ${backend}: ${b.available ? JSON.stringify(b) : `n/a (${b.why})`}`);
    }

    say(`${name}: same-work check, ${PLAN.checkSteps} full-batch steps on ${CHECK_EXAMPLES} images`);
    result.check = await page.evaluate(
      (o) => window.bench.sameWork(o),
      { ids: info.available, steps: PLAN.checkSteps, examples: CHECK_EXAMPLES, learningRate: LEARNING_RATE, seed: SEED },
    );

    // Warm up every (implementation, batch) and choose its steps per run; then measure in rounds,
    // each round running every configuration once, so that a burst of load from other work on the
    // machine hits all implementations alike rather than one of them.
    const configs = [];
    for (const id of info.available) {
      for (const batch of BATCHES) {
        const key = await page.evaluate((i, b, o) => window.bench.prepare(i, b, o), id, batch, { learningRate: LEARNING_RATE, seed: SEED });
        const perStep = await page.evaluate((k, ms) => window.bench.warmup(k, ms), key, PLAN.warmupMs);
        const steps = Math.max(2, Math.round(PLAN.runMs / perStep));
        configs.push({ id, batch, key, steps, runs: [] });
        say(`${name}: ${key} warm, ${(perStep).toFixed(2)} ms/step -> ${steps} steps per run`);
      }
    }
    const browserPid = browser.process()?.pid;
    for (let round = 0; round < PLAN.runs; round++) {
      for (const c of configs) {
        await page.evaluate((k) => window.bench.run(k, 1, 0), c.key); // one untimed step first
        const cpu0 = treeCpuSeconds(browserPid);
        const { ms, loss } = await page.evaluate((k, s) => window.bench.run(k, s, 0), c.key, c.steps);
        const cpu1 = treeCpuSeconds(browserPid);
        c.runs.push((c.steps * c.batch) / (ms / 1000));
        if (cpu0 !== null && cpu1 > cpu0) (c.cpuRuns ??= []).push((c.steps * c.batch) / (cpu1 - cpu0));
        c.lastLoss = loss;
      }
      say(`${name}: round ${round + 1}/${PLAN.runs} done`);
    }
    for (const c of configs) {
      await page.evaluate((k) => window.bench.dispose(k), c.key);
      result.throughput[c.id] ??= {};
      result.throughput[c.id][c.batch] = {
        median: median(c.runs), min: Math.min(...c.runs), max: Math.max(...c.runs), steps: c.steps, runs: c.runs,
        perCpuSecond: c.cpuRuns?.length ? median(c.cpuRuns) : null, cpuRuns: c.cpuRuns ?? [], lastLoss: c.lastLoss,
      };
    }
    if (errors.length) say(`${name}: page errors: ${errors.join(' | ')}`);
  } finally {
    result.loadAfter = os.loadavg();
    await closeBrowser(browser);
  }
  return result;
}

// ---------------------------------------------------------------- report
const LABELS = {
  'inkling-simd': 'Inkling (ours), wasm simd128',
  'inkling-nosimd': 'Inkling (ours), wasm without simd128',
  'tfjs-wasm': 'TF.js 4.22 wasm backend',
  'tfjs-webgl': 'TF.js 4.22 webgl backend',
  'tfjs-cpu': 'TF.js 4.22 cpu backend',
};
const IDS = Object.keys(LABELS);
const kilo = (v) => (v >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : v >= 1e3 ? `${(v / 1e3).toFixed(2)}k` : v.toFixed(0));
const gflops = (v) => ((v * FLOP_PER_EXAMPLE) / 1e9).toFixed(2);
const browserTitle = (r) => `${r.name === 'chromium' ? 'Chromium' : 'Firefox'} ${r.version.replace(/^[^/]*\//, '').split('.')[0]}`;

function relDiff(series, reference) {
  let worst = 0;
  series.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - reference[i]) / Math.abs(reference[i])); });
  return worst;
}

function report(results) {
  const lines = [];
  const add = (s = '') => lines.push(s);
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  add(`# Training throughput in the browser — 784-128-10, ReLU, softmax cross-entropy, plain SGD`);
  add();
  add(`${date} UTC · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length} · ${QUICK ? '**quick run** (fewer, shorter runs: for development only)' : 'full run'} · ` +
    `median of ${PLAN.runs} runs of ≈ ${PLAN.runMs / 1000} s each after a ≈ ${PLAN.warmupMs / 1000} s warm-up, all configurations measured in interleaved rounds · ` +
    `GFLOP/s = examples/s × ${FLOP_PER_EXAMPLE.toLocaleString('en')} FLOP (dense forward + backward per example; an implementation that skips zero pixels does fewer real operations, so for it this is the dense-equivalent rate).`);
  add();
  for (const r of results) {
    const b = r.backends;
    const wasm = b.wasm.available ? `wasm ${b.wasm.simd ? 'SIMD' : 'no SIMD'}, ${b.wasm.threads ? 'threads' : 'one thread'}` : 'wasm n/a';
    const webgl = b.webgl.available ? `webgl ${b.webgl.version} on ${b.webgl.renderer ?? '?'}${b.webgl.float32 ? '' : ' (float16!)'}` : `webgl n/a (${b.webgl.why})`;
    add(`- ${browserTitle(r)} (${r.version}), headless: TF.js ${r.tfjs} — ${wasm}; ${webgl}. Load average before / after: ${r.loadBefore[0].toFixed(2)} / ${r.loadAfter[0].toFixed(2)}.`);
  }
  add();
  const header = ['implementation', 'batch', ...results.flatMap((r) => [`${browserTitle(r)} examples/s (median [min–max])`, 'GFLOP/s', 'examples per CPU-second'])];
  add(`| ${header.join(' | ')} |`);
  add(`|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
  for (const id of IDS) {
    for (const batch of BATCHES) {
      const cells = results.flatMap((r) => {
        const t = r.throughput[id]?.[batch];
        return t ? [`${kilo(t.median)} [${kilo(t.min)}–${kilo(t.max)}]`, gflops(t.median), t.perCpuSecond ? kilo(t.perCpuSecond) : 'n/a'] : ['n/a', 'n/a', 'n/a'];
      });
      add(`| ${LABELS[id]} | ${batch} | ${cells.join(' | ')} |`);
    }
  }
  add();
  add('"Examples per CPU-second" divides the examples of a run by the CPU time that all the browser\'s processes used during it ' +
    '(median over the runs): it hardly depends on how busy the machine is, but it charges a backend that uses several threads ' +
    '(webgl\'s software renderer) for all of them.');
  add();
  add('Speed-up of our trainer: ratio of median examples/s (in brackets: of examples per CPU-second), same browser, same batch; ' +
    'the issue\'s targets are ≥ 8× TF.js wasm and ≥ 30× TF.js cpu, judged on examples/s:');
  add();
  const pairs = [
    ['inkling-simd', 'tfjs-wasm', 8], ['inkling-simd', 'tfjs-cpu', 30], ['inkling-simd', 'tfjs-webgl'],
    ['inkling-nosimd', 'tfjs-wasm'], ['inkling-nosimd', 'tfjs-cpu'], ['inkling-simd', 'inkling-nosimd'],
  ];
  const short = { 'inkling-simd': 'ours simd', 'inkling-nosimd': 'ours no-simd', 'tfjs-wasm': 'TF.js wasm', 'tfjs-cpu': 'TF.js cpu', 'tfjs-webgl': 'TF.js webgl' };
  const rh = ['browser', 'batch', ...pairs.map(([a, b, t]) => `${short[a]} ÷ ${short[b]}${t ? ` (≥ ${t}×)` : ''}`)];
  add(`| ${rh.join(' | ')} |`);
  add(`|${rh.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
  for (const r of results) {
    for (const batch of BATCHES) {
      const cells = pairs.map(([a, b, target]) => {
        const x = r.throughput[a]?.[batch];
        const y = r.throughput[b]?.[batch];
        if (!x || !y) return 'n/a';
        const fmt = (v) => `${v.toFixed(v < 10 ? 2 : 1)}×`;
        const ratio = x.median / y.median;
        const cpu = x.perCpuSecond && y.perCpuSecond ? ` (${fmt(x.perCpuSecond / y.perCpuSecond)})` : '';
        return `${fmt(ratio)}${target ? (ratio >= target ? ' ✓' : ' ✗') : ''}${cpu}`;
      });
      add(`| ${browserTitle(r)} | ${batch} | ${cells.join(' | ')} |`);
    }
  }
  add();
  add(`Same work: each implementation trained the first ${CHECK_EXAMPLES} training images full-batch (no shuffling) for ${PLAN.checkSteps} steps, ` +
    `SGD α = ${LEARNING_RATE}, from the same initial weights; the loss of every step (before its update) is compared with our simd build's. ` +
    `Tolerance: relative difference ≤ ${TOLERANCE.toExponential(0)} at every step (float32 summed in a different order drifts less; a wrong kernel, far more).`);
  add();
  const ch = ['implementation', ...results.flatMap((r) => [`${browserTitle(r)}: loss step 1 → ${PLAN.checkSteps}`, 'max rel. diff (loss)', 'final weights: largest difference ÷ largest weight'])];
  add(`| ${ch.join(' | ')} |`);
  add(`|${ch.map((_, i) => (i < 1 ? '---' : '---:')).join('|')}|`);
  let allAgree = true;
  for (const id of IDS) {
    const cells = results.flatMap((r) => {
      const series = r.check?.losses[id];
      if (!series) return ['n/a', 'n/a', 'n/a'];
      const reference = r.check.losses['inkling-simd'];
      const diff = relDiff(series, reference);
      const ok = diff <= TOLERANCE;
      allAgree &&= ok;
      return [`${series[0].toFixed(6)} → ${series.at(-1).toFixed(6)}`, `${diff.toExponential(1)} ${ok ? '✓' : '✗'}`, r.check.paramDiff[id].toExponential(1)];
    });
    add(`| ${LABELS[id]} | ${cells.join(' | ')} |`);
  }
  add();
  add(allAgree ? `All implementations did the same work (every loss within ${TOLERANCE.toExponential(0)}).`
    : `**The same-work check FAILED**: some implementation's losses differ by more than ${TOLERANCE.toExponential(0)}; its speed is not comparable.`);
  add();
  add('The machine is shared with other work (2 cores), so figures are noisy; the min–max spread shows how much. ' +
    'TF.js wasm runs one thread: the page is not cross-origin isolated, and on 2 cores threads gave nothing (docs/toolchain.md); ours is one thread too. ' +
    'TF.js webgl runs on a software renderer here (no GPU), which may use both cores.');
  return { text: lines.join('\n'), allAgree };
}

// ---------------------------------------------------------------- main
const cleanups = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}

try {
  const { child, url } = await startServer();
  cleanups.push(async () => { try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ } });
  say(`serving ${ROOT} at ${url} (http-server pid ${child.pid})`);
  const results = [];
  for (const name of BROWSER_NAMES) results.push(await benchBrowser(name, url));
  const { text, allAgree } = report(results);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${text}\n`);
  writeFileSync(OUT.replace(/\.md$/, '.json'), `${JSON.stringify({ plan: PLAN, results }, null, 1)}\n`);
  console.log(text);
  say(`written to ${OUT}`);
  await cleanup();
  process.exit(allAgree ? 0 : 1);
} catch (error) {
  say(`error: ${error.stack ?? error}`);
  await cleanup();
  process.exit(2);
}
