// Shared steps for the page's end-to-end tests. Everything waits on a condition with a generous
// timeout (the suite must pass on a slow, loaded 2-core machine) and nothing asserts on speed.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browsers.mjs';
import { startServer } from './server.mjs';
import { drawDigit } from './strokes.mjs';

export const SCREENSHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

// Generous bounds for a slow machine: loading, reaching 97 %, finishing the default run.
export const LOAD_TIMEOUT = 120_000;
export const ACCURACY_TIMEOUT = 180_000;
export const FINISH_TIMEOUT = 300_000;
export const STEP_TIMEOUT = 60_000;

// The page's hooks, found the way a screen reader would where the page allows it: by accessible
// name (aria-label, or a button's text). They are CSS and XPath selectors rather than ::-p-aria:
// Firefox answers accessibility-tree queries (WebDriver BiDi locateNodes) in a third of a second
// when idle and only seconds late while the page trains, too late to click Pause part-way and too
// slow for every one of 140 drawings. ariaButton() and the tests' ::-p-aria checks confirm, where
// the page is idle, that the accessibility tree has the same names.
export const SEL = {
  pad: 'canvas[aria-label="Drawing pad"]',
  prediction: '[aria-label="Prediction"]',
  accuracy: '[aria-label="Test accuracy"]',
  progress: '[aria-label="Training progress"]',
  seed: 'input[name="seed"]',
  alert: '[role="alert"]',
  button: (name) => `::-p-xpath(//button[normalize-space(@aria-label)="${name}" or (not(@aria-label) and normalize-space(.)="${name}")])`,
};

/** Whether the accessibility tree has a button with this name (slow in Firefox while training). */
export async function ariaButton(page, name) {
  const handle = await page.$(`::-p-aria([name="${name}"][role="button"])`);
  await handle?.dispose();
  return Boolean(handle);
}

/** Saves a screenshot as artifacts/screenshots/<browser>-<state>.png; returns its path. */
export async function screenshot(page, browserName, state) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${browserName}-${state}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Saves a screenshot of one element (a selector) as artifacts/screenshots/<browser>-<state>.png; returns its path. */
export async function screenshotElement(page, selector, browserName, state) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${browserName}-${state}.png`;
  const element = await page.waitForSelector(selector);
  await element.screenshot({ path });
  await element.dispose();
  return path;
}

/**
 * Opens a page that records console errors, page errors and every request, then goes to `url`.
 * Returns { page, log } where log = { consoleErrors, pageErrors, requests, failed, badResponses }.
 */
export async function openPage(context, url, { goto = true } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const log = { consoleErrors: [], pageErrors: [], requests: [], failed: [], badResponses: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location()?.url;
    log.consoleErrors.push(where && !message.text().includes(where) ? `${message.text()} (${where})` : message.text());
  });
  page.on('pageerror', (error) => log.pageErrors.push(error.message ?? String(error)));
  page.on('request', (request) => log.requests.push(request.url()));
  page.on('requestfailed', (request) => log.failed.push({
    url: request.url(),
    error: request.failure()?.errorText ?? 'unknown',
    status: request.response()?.status() ?? null,
  }));
  page.on('response', (response) => {
    if (response.status() >= 400) log.badResponses.push({ url: response.url(), status: response.status() });
  });
  if (goto) await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
  return { page, log };
}

/**
 * Serves www/ for the tests of one file: started before them, stopped after them. The returned
 * object's `url` is valid inside tests and hooks.
 */
export function serveSite() {
  let running = null;
  before(async () => {
    running = await startServer();
  });
  after(async () => {
    await running?.stop();
  });
  return { get url() { return running.url; } };
}

/** Launches `name` and opens the page at `url` until it is ready; closes the browser again if that fails. */
async function launchReadyPage(name, url) {
  const browser = await launchBrowser(name);
  try {
    const { page, log } = await openPage(browser.defaultBrowserContext(), url);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    return { browser, page, log };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/**
 * A suite's page: launches `name` and opens the site of `server` (from serveSite) before the suite's
 * tests, hands the ready { browser, page, log } to `ready` (which may go on to set the page up), and
 * closes the browser after them. `options` are the before hook's (node:test), e.g. a timeout.
 */
export function readyPageForSuite(name, server, ready, options = {}) {
  let opened;
  before(async () => {
    opened = await launchReadyPage(name, server.url);
    await ready(opened);
  }, options);
  after(async () => {
    await opened?.browser.close();
  });
}

/** The trimmed text of the element `selector` finds. */
export const text = (page, selector) => page.$eval(selector, (el) => el.textContent.trim());

export const state = (page) => page.evaluate(() => document.body.dataset.state);

/** Waits until body[data-state] is one of `states`; fails early (with the alert's text) on `error`. */
export async function waitForState(page, states, timeout = STEP_TIMEOUT) {
  const wanted = [].concat(states);
  await page.waitForFunction(
    (list) => list.includes(document.body.dataset.state) || document.body.dataset.state === 'error',
    { timeout, polling: 100 }, wanted,
  );
  const now = await state(page);
  if (!wanted.includes(now)) {
    const alert = await page.$eval('[role="alert"]', (el) => el.textContent).catch(() => '');
    throw new Error(`the page went to state "${now}" while waiting for ${wanted.join('/')}: ${alert}`);
  }
  return now;
}

/** The Test accuracy element's value as a fraction, or NaN while it shows "—". */
export function parsePercent(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text ?? '');
  return match ? Number(match[1]) / 100 : NaN;
}

export async function testAccuracy(page) {
  return parsePercent(await page.$eval(SEL.accuracy, (el) => el.textContent));
}

/** Waits until the shown Test accuracy reaches `threshold` (a fraction); returns it. */
export async function waitForAccuracy(page, threshold, timeout = ACCURACY_TIMEOUT) {
  await page.waitForFunction((selector, min) => {
    if (document.body.dataset.state === 'error') return true;
    const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(document.querySelector(selector)?.textContent ?? '');
    return match && Number(match[1]) / 100 >= min;
  }, { timeout, polling: 250 }, SEL.accuracy, threshold);
  if ((await state(page)) === 'error') await waitForState(page, ['training', 'paused']); // throws with the alert
  return testAccuracy(page);
}

/** The accessible name of the button that starts and pauses training ("Train" or "Pause"). */
export async function trainButtonName(page) {
  const train = await page.$(SEL.button('Train'));
  const pause = await page.$(SEL.button('Pause'));
  const names = [train && 'Train', pause && 'Pause'].filter(Boolean);
  await train?.dispose();
  await pause?.dispose();
  return names.join('+');
}

/**
 * Types `seed` into the Seed field (replacing what is there). The page applies it at once before
 * any training, else when Train or Reset is pressed; either way the next run uses it.
 */
export async function setSeed(page, seed) {
  const field = await page.waitForSelector(SEL.seed);
  await field.click({ count: 3 });
  await field.type(String(seed));
  await field.dispose();
  await page.waitForFunction((selector, s) => document.querySelector(selector).value === s,
    { timeout: STEP_TIMEOUT }, SEL.seed, String(seed));
}

export async function clickButton(page, name) {
  const button = await page.waitForSelector(SEL.button(name), { timeout: STEP_TIMEOUT });
  await button.click();
  await button.dispose();
}

/** The training progress bar's value, 0 to 1. */
export const progress = (page) => page.$eval(SEL.progress, (el) => el.value);

/**
 * On a page that has loaded: sets the seed, presses Train and waits for ≥ 97 % test accuracy and
 * then for the default run to finish by itself (state paused, progress full). With a fixed seed
 * the finished weights are the same on every run. Returns the accuracy first seen at ≥ 97 %.
 */
export async function trainToCompletion(page, seed) {
  await waitForState(page, 'ready', LOAD_TIMEOUT);
  await setSeed(page, seed);
  await clickButton(page, 'Train');
  await waitForState(page, 'training');
  const reached = await waitForAccuracy(page, 0.97);
  // The page leaves 'training' when the run ends, once the final weights' evaluation is shown.
  await page.waitForFunction(() => document.body.dataset.state !== 'training', { timeout: FINISH_TIMEOUT, polling: 250 });
  await waitForState(page, 'paused');
  const done = await progress(page);
  if (done < 0.999) {
    const message = await page.$eval('#settings-message', (el) => el.textContent).catch(() => '');
    throw new Error(`training stopped at ${(done * 100).toFixed(1)} % of the run: ${message}`);
  }
  return reached;
}

/** Resolves after the page has painted two more animation frames (its pad reports changes in one). */
export function frames(page, count = 2) {
  return page.evaluate((n) => new Promise((resolve) => {
    const next = (left) => (left ? requestAnimationFrame(() => next(left - 1)) : resolve());
    next(n);
  }), count);
}

export const prediction = (page) => page.$eval(SEL.prediction, (el) => el.textContent.trim());

/** Clears the pad with its Clear button; the Prediction must be empty then. */
async function clearPad(page) {
  await clickButton(page, 'Clear');
  assert.equal(await prediction(page), '', 'Clear empties the Prediction');
}

/**
 * What the page reads once the drawing is done: the pad reports a change at its next animation
 * frame and the answer follows at once, so wait for an answer and then two more frames.
 */
function readAnswer(page) {
  return page.evaluate((selector) => new Promise((resolve, reject) => {
    const output = document.querySelector(selector);
    const started = performance.now();
    let settle = 2;
    const frame = () => {
      if (output.textContent.trim() !== '' && settle-- === 0) {
        resolve({
          predicted: output.textContent.trim(),
          confidence: document.getElementById('confidence')?.textContent.trim() ?? '',
        });
      } else if (performance.now() - started > 30_000) {
        reject(new Error('no Prediction appeared within 30 s of drawing'));
      } else {
        requestAnimationFrame(frame);
      }
    };
    requestAnimationFrame(frame);
  }), SEL.prediction);
}

/** Replaces a settings field's text as a person would (select all, delete, type), then leaves it (Tab). */
export async function retype(page, name, value) {
  const field = await page.waitForSelector(`input[name="${name}"]`);
  await field.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await field.type(value);
  await page.keyboard.press('Tab');
  await field.dispose();
}

/**
 * Before a run: sets Epochs to `epochs` (20 by default) and waits until the page has applied it. The
 * default run (2.5 epochs) can end in under two seconds on a fast machine, before a test has done
 * what it needs a run under way for.
 */
export async function setLongRun(page, epochs = 20) {
  await retype(page, 'epochs', String(epochs));
  await page.waitForFunction((n) => new RegExp(`epoch 0 of ${n}$`).test(document.getElementById('run-progress-text').textContent),
    { timeout: STEP_TIMEOUT }, epochs);
}

/** Draws one digit on a cleared pad and returns what the page reads: { predicted, confidence }. */
export async function drawAndRead(page, strokes, place) {
  await clearPad(page);
  await drawDigit(page, SEL.pad, strokes, place);
  return readAnswer(page);
}
