// A ConvNet in the page, as a person meets it: the ConvNet recipe fills the Layers field with its
// notation (and the address with it), the network is made from it, a short run trains it from fresh
// weights in animation-frame chunks and the test accuracy is shown; Look inside shows the learned
// filters instead of per-unit weight pictures, and the feature maps of a drawn digit; Why this
// answer works back through the convolutions; How it works walks one output of the first convolution
// with its numbers (the sum under the kernel, its gradient); and the
// ConvNet is saved in the browser (model file version 2) and comes back on reload.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './browsers.mjs';
import { DIGITS } from './strokes.mjs';
import {
  FINISH_TIMEOUT, LOAD_TIMEOUT, SEL, STEP_TIMEOUT, clickButton, drawAndRead, readyPageForSuite, parsePercent, serveSite,
  retype, screenshotElement, setSeed, text, waitForState,
} from './helpers.mjs';

const LAYERS = 'c8k5-p2-c16k5-p2-128';
const NETWORK = `${LAYERS}-10`;
const server = serveSite();

for (const name of BROWSERS) {
  describe(`a ConvNet in ${name}`, () => {
    let page;
    let log;
    readyPageForSuite(name, server, (opened) => ({ page, log } = opened));

    test('the ConvNet recipe makes a ConvNet from its notation, and the address carries it', async () => {
      await page.select('#preset', 'convnet');
      assert.equal(await page.$eval('input[name="layers"]', (el) => el.value), LAYERS);
      await page.waitForFunction((n) => document.getElementById('status').textContent.startsWith(`Network ${n} (`),
        { timeout: STEP_TIMEOUT }, NETWORK);
      const params = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search)));
      assert.equal(params.layers, LAYERS);
      // Only the weights of the dense layers are pictures of pixels: for a ConvNet they are hidden.
      assert.equal(await page.$eval('#weights-block', (el) => el.hidden), true);
    });

    test('a short run trains it in the page, and the filters and feature maps are shown', { timeout: FINISH_TIMEOUT + STEP_TIMEOUT }, async () => {
      await retype(page, 'epochs', '0.2');
      await setSeed(page, 5);
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      await page.waitForFunction((s) => document.body.dataset.state === 'paused' && document.querySelector(s).value === 1,
        { timeout: FINISH_TIMEOUT, polling: 250 }, SEL.progress);
      await page.waitForFunction((s) => /\d/.test(document.querySelector(s).textContent), { timeout: STEP_TIMEOUT }, SEL.accuracy);
      const accuracy = parsePercent(await text(page, SEL.accuracy));
      console.log(`[${name}] ConvNet after 0.2 epochs: ${(100 * accuracy).toFixed(2)} % (${await text(page, '#run-progress-text')})`);
      // 12,000 examples of this ConvNet: 96–97 % natively; chance is 10 %.
      assert.ok(accuracy > 0.9, `test accuracy ${accuracy}`);

      await page.waitForFunction(() => document.getElementById('filters').dataset.filters === '8', { timeout: STEP_TIMEOUT });
      const answer = await drawAndRead(page, DIGITS[3].round);
      assert.match(answer.predicted, /^\d$/);
      await page.waitForFunction(() => document.getElementById('filters').dataset.maps === '4', { timeout: STEP_TIMEOUT });
      assert.match(await text(page, '#filters-caption'), /each map shows where one filter found its pattern/);
      await screenshotElement(page, '#filters-block', name, 'convnet-filters');
    });

    test('why this answer works through the convolutions; How it works walks one convolution output', async () => {
      await page.waitForFunction(() => !document.getElementById('saliency-toggle').disabled, { timeout: STEP_TIMEOUT });
      await clickButton(page, 'Why this answer');
      await page.waitForFunction(() => document.getElementById('saliency-toggle').getAttribute('aria-pressed') === 'true'
        && document.getElementById('saliency-caption').textContent.trim() !== '', { timeout: STEP_TIMEOUT });
      assert.doesNotMatch(await text(page, '#saliency-caption'), /could not|error/i);
      // The steps of the first convolution's most active output, with its numbers.
      await page.waitForFunction(() => document.getElementById('math-stepper').dataset.steps === '6', { timeout: STEP_TIMEOUT });
      await clickButton(page, 'Next step');
      const card = await text(page, '#step-card');
      assert.match(card, /Z = the sum of weights × pixels under the window, plus the bias/);
      assert.match(card, /Z = \S+ \+ Σ W·P = \S+/);
      assert.equal(await page.$$eval('#step-card .kernel-grid', (tables) => tables.length), 2, 'the patch and the filter');
      assert.ok(await page.$('#step-card math'), 'the formula is MathML');
      // It says where the MLP's whole pass is.
      assert.equal(await page.$eval('#math-convnet-note', (el) => el.hidden), false);
      assert.match(await text(page, '#math-convnet-note'), /pick an MLP recipe\s+\(such as the Fast recipe\) and press Reset/);
      assert.deepEqual(log.pageErrors, []);
      assert.deepEqual(log.consoleErrors, []);
    });

    test('it is saved in this browser and comes back on reload', async () => {
      await page.waitForFunction(() => /Saved in this browser/.test(document.getElementById('model-message').textContent),
        { timeout: STEP_TIMEOUT });
      await page.reload({ waitUntil: 'load', timeout: LOAD_TIMEOUT });
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      await page.waitForFunction((n) => document.getElementById('model-in-use').textContent.includes(`saved in this browser (${n},`),
        { timeout: STEP_TIMEOUT }, NETWORK);
      assert.equal(await page.$eval('#weights-block', (el) => el.hidden), true);
      await page.waitForFunction(() => document.getElementById('filters').dataset.filters === '8', { timeout: STEP_TIMEOUT });
    });
  });
}
