// The people this project is for use it in their own words: "`wasm-pack build` then open
// www/index.html, draw digits". This runs exactly that on a clean copy of the repository — the files
// git has, plus what the README's set-up leaves in www/ (the prepared MNIST, the chart library, the
// pretrained model) but no built package: plain `wasm-pack build` with no flags, with the PATH a person
// has (no node_modules/.bin: the wasm-opt it finds is the one scripts/setup.sh installed beside
// wasm-pack), then the repository served by `python3 -m http.server` and /www/index.html opened. The
// page must reach "ready", train to ≥ 97 % and read a drawn digit, in both browsers. Opened from
// file://, the page must say that it needs a local server and how to start one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BROWSERS, launchBrowser } from './browsers.mjs';
import {
  ACCURACY_TIMEOUT, LOAD_TIMEOUT, SEL, clickButton, drawAndRead, openPage, screenshot, setSeed, waitForAccuracy,
  waitForState,
} from './helpers.mjs';
import { startServer } from './server.mjs';
import { BASIC_PLACE, DIGITS } from './strokes.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_TIMEOUT = 1_200_000; // a release build with LTO on a loaded 2-core machine
// The wasm file's budget, gzipped (the page benchmark checks the same): 160 KB, room for the ConvNet layers.
const WASM_BUDGET_GZIP = 160_000;

/** The repository as a person has it: git's files (with this working tree's contents) in a new folder. */
function cleanCopy() {
  const copy = mkdtempSync(join(tmpdir(), 'inkling-user-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString().split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  // What the README's set-up made (never committed), linked rather than copied: 55 MB of digits.
  for (const made of ['www/data', 'www/vendor', 'www/models']) {
    if (!existsSync(join(ROOT, made))) throw new Error(`${made} is missing: run scripts/build.sh first`);
    symlinkSync(join(ROOT, made), join(copy, made));
  }
  return copy;
}

/** A person's PATH: without any node_modules/.bin, which the project's scripts put first. */
function personsPath() {
  return process.env.PATH.split(delimiter).filter((dir) => !dir.includes('node_modules')).join(delimiter);
}

let copy;
let server;

before(async () => {
  copy = cleanCopy();
  // The compiled dependencies are shared with the main checkout (same profile and flags), so only
  // this crate is compiled again; the command itself is exactly the person's.
  const build = spawnSync('wasm-pack', ['build'], {
    cwd: copy,
    env: { ...process.env, PATH: personsPath(), CARGO_TARGET_DIR: join(ROOT, 'target') },
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT,
  });
  writeFileSync(join(copy, 'wasm-pack-build.log'), `${build.stdout}\n${build.stderr}`);
  if (build.status !== 0) {
    throw new Error(`plain \`wasm-pack build\` failed (exit ${build.status}):\n${build.stderr.slice(-3000)}`);
  }
  server = await startServer({ root: copy, python: true });
}, { timeout: BUILD_TIMEOUT + 60_000 });

after(async () => {
  await server?.stop();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('plain `wasm-pack build`', () => {
  test('writes an optimised package to pkg/ without downloading anything', () => {
    const wasm = readFileSync(join(copy, 'pkg/inkling_bg.wasm'));
    const gzipped = gzipSync(wasm, { level: 9 }).length;
    assert.ok(gzipped <= WASM_BUDGET_GZIP, `pkg/inkling_bg.wasm is ${gzipped} bytes gzipped, over ${WASM_BUDGET_GZIP}`);
    const unoptimised = statSync(join(ROOT, 'target/wasm32-unknown-unknown/release/inkling.wasm')).size;
    assert.ok(wasm.length < unoptimised, `wasm-opt ran: ${wasm.length} bytes, cargo's output ${unoptimised}`);
    const log = readFileSync(join(copy, 'wasm-pack-build.log'), 'utf8');
    assert.doesNotMatch(log, /download/i, 'nothing was downloaded');
    assert.ok(!existsSync(join(copy, 'www/pkg')), 'the page has only the bare build to use');
  });
});

for (const name of BROWSERS) {
  describe(`the person's page in ${name}`, () => {
    let browser;
    before(async () => {
      browser = await launchBrowser(name);
    });
    after(async () => {
      await browser?.close();
    });

    test('served from the repository, /www/index.html trains to 97 % and reads a drawn digit', { timeout: LOAD_TIMEOUT + ACCURACY_TIMEOUT + 300_000 }, async () => {
      const context = await browser.createBrowserContext();
      try {
        const { page, log } = await openPage(context, `${server.url}www/index.html`);
        await waitForState(page, 'ready', LOAD_TIMEOUT);
        assert.ok(log.requests.some((url) => new URL(url).pathname === '/pkg/inkling_bg.wasm'),
          'the page uses the package that `wasm-pack build` wrote');
        await setSeed(page, 7);
        await clickButton(page, 'Train');
        const accuracy = await waitForAccuracy(page, 0.97);
        assert.ok(accuracy >= 0.97, `test accuracy ${accuracy}`);
        await clickButton(page, 'Pause');
        await waitForState(page, 'paused');
        const { predicted } = await drawAndRead(page, DIGITS[3][Object.keys(DIGITS[3])[0]], BASIC_PLACE);
        assert.equal(predicted, '3');
        await screenshot(page, name, 'user-path');
        assert.deepEqual(log.pageErrors, []);
      } finally {
        await context.close();
      }
    });

    test('opened from file://, it says it needs a local server and how to start one', async () => {
      const context = await browser.createBrowserContext();
      try {
        const { page } = await openPage(context, pathToFileURL(join(copy, 'www/index.html')).href);
        await waitForState(page, 'error', LOAD_TIMEOUT);
        const message = await page.$eval(SEL.alert, (el) => (el.hidden ? '' : el.textContent));
        assert.match(message, /served by a web server/);
        assert.match(message, /python3 -m http\.server 8000/);
        assert.match(message, /http:\/\/localhost:8000\/www\/index\.html/);
        await screenshot(page, name, 'file-url');
      } finally {
        await context.close();
      }
    });
  });
}
