// Turning the knobs while it learns: the form tells live settings from those that wait for Reset; a
// new learning rate applies to the run under way (a marker on the loss chart, the settings message,
// the address), and a new hidden layer size waits for Reset while the run goes on unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './browsers.mjs';
import {
  SEL, STEP_TIMEOUT, clickButton, readyPageForSuite, progress, retype, screenshot, serveSite, setLongRun, setSeed, state, text, waitForState,
} from './helpers.mjs';

const SEED = 7;
const MESSAGE = '#settings-message';
const CHANGES = 'ol[aria-label="Settings changed during this run"]';

const server = serveSite();

/** Waits until the training progress passes `value` (the run goes on). */
const progressBeyond = (page, value) => page.waitForFunction((s, v) => document.querySelector(s).value > v,
  { timeout: STEP_TIMEOUT, polling: 100 }, SEL.progress, value);

for (const name of BROWSERS) {
  describe(`settings changed while training in ${name}`, () => {
    let page;
    let log;
    readyPageForSuite(name, server, (opened) => ({ page, log } = opened));

    test('the form says which settings change a run under way and which wait for Reset', async () => {
      const marks = await page.evaluate(() => Object.fromEntries(['learningRate', 'schedule', 'labelSmoothing', 'augment', 'layers', 'optimizer', 'batchSize', 'epochs', 'seed']
        .map((n) => [n, document.forms.settings.elements[n].closest('label').dataset.applies])));
      assert.deepEqual(marks, {
        learningRate: 'live', schedule: 'live', labelSmoothing: 'live', augment: 'live',
        layers: 'reset', optimizer: 'reset', batchSize: 'reset', epochs: 'reset', seed: 'reset',
      });
      // A screen reader hears the legend's words with each field.
      const described = await page.evaluate(() => {
        const { elements } = document.forms.settings;
        const words = (n) => elements[n].getAttribute('aria-describedby').split(' ')
          .map((id) => document.getElementById(id).textContent.replace(/\s+/g, ' ').trim());
        return { rate: words('learningRate'), layers: words('layers') };
      });
      assert.deepEqual(described.rate, ['live changes while it trains, from the next step']);
      assert.deepEqual(described.layers, ['e.g. 128, 256-128, or c8k5-p2-c16k5-p2-128 (a ConvNet)', 'reset waits for Reset: a new network']);
      // The tags do not become part of the fields' names.
      assert.ok(await page.$('::-p-aria([name="Learning rate"][role="textbox"])'), 'the field is still named Learning rate');
    });

    test('a new learning rate applies to the run under way and is marked on the loss chart', async () => {
      await setSeed(page, SEED);
      await setLongRun(page); // still under way while the settings below change
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      await progressBeyond(page, 0.02);
      await retype(page, 'learningRate', '0.001');
      await page.waitForFunction((s) => /^Learning rate 0\.001 from step [\d,]+\.$/.test(document.querySelector(s).textContent),
        { timeout: STEP_TIMEOUT }, MESSAGE);
      const message = await text(page, MESSAGE);
      const step = Number(/from step ([\d,]+)/.exec(message)[1].replace(/,/g, ''));
      assert.ok(step > 1, `the change applies from a later step, got ${step}`);
      assert.equal(await state(page), 'training', 'no Reset: it trains on');
      assert.equal(await page.$eval('#loss-chart', (el) => el.dataset.markers), '1', 'one marker line on the loss chart');
      const listed = await page.$$eval(`${CHANGES} li`, (items) => items.map((li) => li.textContent));
      assert.equal(listed.length, 1);
      assert.ok(listed[0].startsWith(message.slice(0, -1)), `the list under the chart says it too: ${listed[0]}`);
      const before = await progress(page);
      await progressBeyond(page, before);
      assert.ok((await progress(page)) > before, 'training carries on');
      // The address follows the run's settings, with the seed it uses.
      const params = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search)));
      assert.equal(params.learningRate, '0.001');
      assert.equal(params.seed, String(SEED));
      await screenshot(page, name, 'live-learning-rate');
    });

    test('new layers wait for Reset and the run goes on unchanged', async () => {
      const network = await text(page, '#status');
      assert.match(network, /^Network 784-128-10 /);
      await retype(page, 'layers', '64');
      await page.waitForFunction((s) => /Waits for Reset \(a new network\): the layers\./.test(document.querySelector(s).textContent),
        { timeout: STEP_TIMEOUT }, MESSAGE);
      assert.match(await text(page, MESSAGE), /^Learning rate 0\.001 from step [\d,]+\. Waits for Reset/, 'the live change stays in view');
      const before = await progress(page);
      await progressBeyond(page, before);
      assert.equal(await state(page), 'training');
      assert.equal(await text(page, '#status'), network, 'the same network trains on');
      assert.equal(await page.$eval('#loss-chart', (el) => el.dataset.markers), '1', 'no marker for a setting that waits');
    });

    test('Reset makes the new network and starts a run without changes', async () => {
      await clickButton(page, 'Pause');
      await waitForState(page, 'paused');
      await clickButton(page, 'Reset');
      await waitForState(page, 'ready');
      assert.match(await text(page, '#status'), /^Network 784-64-10 /);
      assert.equal(await page.$eval('#loss-chart', (el) => el.dataset.markers), '0');
      assert.equal(await page.$eval(CHANGES, (el) => el.hidden), true);
      assert.equal(await text(page, MESSAGE), '');
    });

    test('no console error and no page error during all this', () => {
      assert.deepEqual(log.consoleErrors, []);
      assert.deepEqual(log.pageErrors, []);
    });
  });
}
