// The page loads: the real MNIST data arrives from the page's own origin, the network starts, and
// the page becomes ready without a console error. Also the loading and error states (screenshots).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BROWSERS, launchBrowser } from './browsers.mjs';
import { LOAD_TIMEOUT, SEL, openPage, screenshot, serveSite, state, waitForState } from './helpers.mjs';

const DATA_FILES = [
  'data/manifest.json',
  'data/train-images-idx3-ubyte.gz',
  'data/train-labels-idx1-ubyte.gz',
  'data/t10k-images-idx3-ubyte.gz',
  'data/t10k-labels-idx1-ubyte.gz',
];

const NOT_FOUND = { status: 404, contentType: 'text/plain', body: 'not here' };
// The web package's glue as an older build had it: no interface fingerprint to show.
const OLD_GLUE = () => readFileSync(new URL('../../www/pkg/inkling.js', import.meta.url), 'utf8')
  .replace('export function interfaceFingerprint', 'function interfaceFingerprint');
const START_FAILURES = [
  {
    problem: 'the MNIST data is not prepared',
    answer: (path) => (path.endsWith('/data/manifest.json') ? NOT_FOUND : null),
    expected: /MNIST data is missing.*scripts\/build\.sh/s,
    screenshot: 'error',
  },
  {
    problem: 'the wasm package is missing',
    answer: (path) => (path.endsWith('/pkg/inkling_bg.wasm') ? NOT_FOUND : null),
    expected: /WebAssembly package is missing.*scripts\/build\.sh/s,
  },
  {
    problem: 'the wasm package is from an older build',
    answer: (path) => (path.endsWith('/pkg/inkling.js')
      ? { status: 200, contentType: 'text/javascript', body: OLD_GLUE() } : null),
    expected: /package in www\/pkg\/ is out of date.*scripts\/build\.sh/s,
  },
  {
    problem: 'the chart library is missing',
    answer: (path) => (path.endsWith('/vendor/uPlot.esm.js') ? NOT_FOUND : null),
    expected: /chart library is missing.*scripts\/build\.sh/s,
    // Firefox reports the refused module itself as a page error; nothing else may be one.
    browserReports: 'uPlot.esm.js',
  },
];

const server = serveSite();

// A failed request is allowed only for a favicon, or — Chromium — as net::ERR_ABORTED reported
// after a complete 200 response: Chromium's DevTools reports that for a fetch whose body the page
// reads to the end with response.body.getReader() (data.js does, for its progress bar). The page
// checks each file's size and SHA-256 before it becomes ready, so such a body did arrive whole.
function unexpectedFailures(failed) {
  return failed.filter(({ url, error, status }) => {
    if (/\/favicon\.(svg|ico)$/.test(new URL(url).pathname)) return false;
    if (error === 'net::ERR_ABORTED' && status === 200) return false;
    return true;
  });
}

for (const name of BROWSERS) {
  describe(`loading the page in ${name}`, () => {
    let browser;
    before(async () => {
      browser = await launchBrowser(name);
    });
    after(async () => {
      await browser?.close();
    });

    test('loads the real MNIST data from its own origin and becomes ready without errors', { timeout: 240_000 }, async () => {
      const context = await browser.createBrowserContext();
      try {
        const { page, log } = await openPage(context, server.url);
        await waitForState(page, 'ready', LOAD_TIMEOUT);
        assert.equal(await page.$eval(SEL.prediction, (el) => el.textContent), '', 'Prediction is empty before drawing');
        const train = await page.waitForSelector(SEL.button('Train'));
        assert.equal(await train.evaluate((el) => el.disabled), false, 'Train is enabled when ready');
        assert.equal(await page.$eval('#loading', (el) => getComputedStyle(el).display), 'none', 'the loading box is gone');
        await screenshot(page, name, 'ready');

        const origin = new URL(server.url).origin;
        const foreign = log.requests.filter((url) => new URL(url).origin !== origin);
        assert.deepEqual(foreign, [], 'every request goes to the page\'s own origin');
        for (const file of DATA_FILES) {
          assert.ok(log.requests.includes(new URL(file, server.url).href), `${file} was requested`);
        }
        assert.ok(log.requests.some((url) => url.endsWith('.wasm')), 'the WebAssembly module was requested');
        assert.deepEqual(unexpectedFailures(log.failed), [], 'no request failed');
        assert.deepEqual(log.badResponses.filter(({ url }) => !/\/favicon\.(svg|ico)$/.test(url)), [],
          'no request answered with an HTTP error');
        assert.deepEqual(log.consoleErrors, [], 'no console error');
        assert.deepEqual(log.pageErrors, [], 'no uncaught page error');
        if (log.failed.length) console.log(`[${name}] tolerated request failures: ${JSON.stringify(log.failed)}`);
        assert.equal(await state(page), 'ready', 'still ready at the end');
      } finally {
        await context.close();
      }
    });

    test('shows the loading state and its progress while MNIST downloads', { timeout: 240_000 }, async () => {
      const context = await browser.createBrowserContext(); // its own, empty Cache API storage
      try {
        const { page, log } = await openPage(context, server.url, { goto: false });
        // Hold back the largest file until the loading state has been looked at.
        let release;
        const held = new Promise((resolve) => {
          release = resolve;
        });
        await page.setRequestInterception(true);
        page.on('request', async (request) => {
          if (request.isInterceptResolutionHandled()) return;
          if (request.url().endsWith('/data/train-images-idx3-ubyte.gz')) await held;
          await request.continue();
        });
        try {
          await page.goto(server.url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
          await page.waitForFunction(() => document.getElementById('download-progress').value > 0, { timeout: LOAD_TIMEOUT });
          assert.equal(await state(page), 'loading');
          const text = await page.$eval('#loading-text', (el) => el.textContent);
          assert.match(text, /Downloading MNIST: [\d.]+ MB of [\d.]+ MB/);
          const train = await page.$(SEL.button('Train'));
          assert.equal(await train.evaluate((el) => el.disabled), true, 'Train is disabled while loading');
          const loadingBox = await page.$('::-p-aria(Loading MNIST)');
          assert.ok(await loadingBox?.isVisible(), 'the loading box is visible');
          await screenshot(page, name, 'loading');
        } finally {
          release();
        }
        await waitForState(page, 'ready', LOAD_TIMEOUT);
        assert.deepEqual(log.pageErrors, [], 'no uncaught page error');
      } finally {
        await context.close();
      }
    });

    // Every way the page can fail to start says so in the alert, with the command that fixes it.
    for (const { problem, answer, expected, browserReports, screenshot: shot } of START_FAILURES) {
      test(`says what to run when ${problem}`, { timeout: 240_000 }, async () => {
        const context = await browser.createBrowserContext();
        try {
          const { page, log } = await openPage(context, server.url, { goto: false });
          await page.setRequestInterception(true);
          page.on('request', (request) => {
            if (request.isInterceptResolutionHandled()) return;
            const response = answer(new URL(request.url()).pathname);
            if (response) request.respond(response);
            else request.continue();
          });
          await page.goto(server.url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
          await waitForState(page, 'error', LOAD_TIMEOUT);
          const alert = await page.waitForSelector('::-p-aria([role="alert"])');
          assert.match(await alert.evaluate((el) => el.textContent), expected);
          assert.ok(await alert.isVisible(), 'the alert is visible');
          assert.equal(await page.$eval('#loading', (el) => el.hidden || getComputedStyle(el).display === 'none'), true,
            '"Loading…" is gone');
          const train = await page.$(SEL.button('Train'));
          assert.equal(await train.evaluate((el) => el.disabled), true, 'Train is disabled after an error');
          const pageErrors = log.pageErrors.filter((error) => !(browserReports && error.includes(browserReports)));
          assert.deepEqual(pageErrors, [], 'the failure is handled, not thrown');
          if (shot) await screenshot(page, name, shot);
        } finally {
          await context.close();
        }
      });
    }
  });
}
