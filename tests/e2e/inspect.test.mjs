// "3 · Look inside", end to end: trains with seed 7 and the default settings until ≥ 95 % test
// accuracy (or the end of the run), then checks each view as a person would see it — the first-layer
// weights (drawn, and changing while it learns), the hidden activations for a drawing, the confusion
// matrix (10,000 images, its diagonal the Test accuracy shown), a cell's images, the gallery of
// mistakes with their top probabilities, and each digit's accuracy. Last, networks without and with
// two hidden layers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BROWSERS } from './browsers.mjs';
import {
  ACCURACY_TIMEOUT, FINISH_TIMEOUT, SEL, STEP_TIMEOUT, clickButton, frames, readyPageForSuite, screenshotElement, serveSite,
  setLongRun, setSeed, state, waitForAccuracy, waitForState,
} from './helpers.mjs';
import { DIGITS, drawDigit } from './strokes.mjs';

const SEED = 7;
const TARGET = 0.95;
const CELL_LIMIT = 48;   // the page shows at most this many images of one cell
const GALLERY_SIZE = 24; // and this many mistakes

const WEIGHTS = '[aria-label="First-layer weights"]';
const ACTIVATIONS = '[aria-label="Hidden activations"]';
const MATRIX = '[aria-label="Confusion matrix"]';
const CELL_IMAGES = '[aria-label="Test images in the selected cell"]';
const GALLERY = '[aria-label="Misclassified test images"]';
const PER_DIGIT = '[aria-label="Per-digit accuracy"]';

const server = serveSite();

/** A canvas' pixels as a fingerprint: { hash, colours (distinct, up to 64), width, height }. */
function canvasPrint(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let hash = 2166136261;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      hash = Math.imul(hash ^ rgb, 16777619) >>> 0;
      if (colours.size < 64) colours.add(rgb);
    }
    return { hash, colours: colours.size, width: canvas.width, height: canvas.height };
  });
}

/** Waits until the canvas' pixels differ from `print`; returns the new print. */
async function waitForNewPicture(page, selector, print, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const now = await canvasPrint(page, selector);
    if (now.hash !== print.hash) return now;
    if (Date.now() > deadline) throw new Error(`${selector} did not change within ${timeout / 1000} s`);
    await sleep(150);
  }
}

/** The canvas' print once it has held still for a moment (its refreshes take a few frames). */
async function settledPrint(page, selector) {
  let print = await canvasPrint(page, selector);
  for (;;) {
    await sleep(400);
    const again = await canvasPrint(page, selector);
    if (again.hash === print.hash) return again;
    print = again;
  }
}

/** The names of the confusion matrix's buttons, in table order ("3 read as 5: 12 images"). */
const matrixNames = (page) => page.$$eval(`${MATRIX} button`, (buttons) => buttons.map((b) => b.getAttribute('aria-label')));

/** The confusion matrix as the table's buttons name it: counts[true][answer]. */
async function readMatrix(page) {
  const names = await matrixNames(page);
  assert.equal(names.length, 100, 'a 10 × 10 table of buttons');
  const counts = Array.from({ length: 10 }, () => Array(10).fill(NaN));
  for (const name of names) {
    const match = /^(\d) read as (\d): ([\d,]+) images?$/.exec(name);
    assert.ok(match, `a cell is named like "3 read as 5: 12 images" (or "1,135 images"), got "${name}"`);
    counts[Number(match[1])][Number(match[2])] = Number(match[3].replace(/,/g, ''));
  }
  return counts;
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const accuracyText = (page) => page.$eval(SEL.accuracy, (el) => el.textContent.trim());

/** Waits until the confusion matrix shows the same evaluation as the Test accuracy. */
async function waitForMatchingMatrix(page) {
  await page.waitForFunction((matrix, accuracy) => {
    const buttons = [...document.querySelectorAll(`${matrix} button`)];
    const counts = buttons.map((b) => Number(/: ([\d,]+) images?$/.exec(b.getAttribute('aria-label'))?.[1].replace(/,/g, '') ?? NaN));
    if (counts.length !== 100 || counts.some(Number.isNaN)) return false;
    const diagonal = counts.filter((_, k) => k % 11 === 0).reduce((a, b) => a + b, 0);
    const total = counts.reduce((a, b) => a + b, 0);
    return `${((diagonal / total) * 100).toFixed(2)} %` === document.querySelector(accuracy).textContent.trim();
  }, { timeout: STEP_TIMEOUT, polling: 200 }, MATRIX, SEL.accuracy);
}

/** Draws on the pad after scrolling it into view (clicks further down the page scroll it away). */
async function draw(page, strokes) {
  await page.$eval(SEL.pad, (el) => el.scrollIntoView({ block: 'center' }));
  await frames(page);
  await drawDigit(page, SEL.pad, strokes);
}

/** Replaces the Layers field's text (before training the page applies it at once). */
async function setLayers(page, text, sizes) {
  const field = await page.waitForSelector('input[name="layers"]');
  await field.click({ count: 3 });
  await page.keyboard.press('Backspace');
  if (text) await field.type(text);
  await field.dispose();
  await page.waitForFunction((s) => document.getElementById('status')?.textContent.includes(`Network ${s} `),
    { timeout: STEP_TIMEOUT }, sizes);
}

for (const name of BROWSERS) {
  describe(`looking inside the network in ${name}`, () => {
    let page;
    let log;
    readyPageForSuite(name, server, (opened) => ({ page, log } = opened));

    let fresh;
    test('before training, the weights show the fresh first layer: 128 tiles of random weights', async () => {
      await setSeed(page, SEED);
      await page.waitForFunction((s) => document.querySelector(s).dataset.units === '128', {}, WEIGHTS);
      fresh = await settledPrint(page, WEIGHTS);
      assert.deepEqual([fresh.width, fresh.height], [16 * 30 + 2, 8 * 30 + 2], '16 × 8 tiles of 28 × 28 with 2-pixel gaps');
      assert.ok(fresh.colours > 32, `random weights are many colours, got ${fresh.colours}`);
      assert.match(await page.$eval('#weights-caption', (el) => el.textContent), /all 128 units/);
      assert.ok(await page.$('::-p-aria(First-layer weights)'), 'the canvas is named in the accessibility tree');
      assert.equal(await page.$eval(ACTIVATIONS, (el) => el.dataset.state), 'idle', 'no drawing, no activity yet');
    });

    test(`the weights change while it learns, up to ≥ ${TARGET * 100} % test accuracy`, { timeout: ACCURACY_TIMEOUT + 60_000 }, async () => {
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      // On screen, the views follow the training (off screen they wait: the test further down).
      await page.$eval('.inspect-panel', (el) => el.scrollIntoView());
      const early = await waitForNewPicture(page, WEIGHTS, fresh);
      assert.ok(early.colours > 32, 'the weights are still drawn while training');
      const accuracy = await waitForAccuracy(page, TARGET);
      if ((await state(page)) === 'training') {
        const pause = await page.$(SEL.button('Pause'));
        await pause?.click().catch(() => {}); // it may have finished (and become Train) just now
      }
      await waitForState(page, 'paused', FINISH_TIMEOUT);
      const later = await waitForNewPicture(page, WEIGHTS, early);
      assert.ok(later.colours > 32);
      console.log(`[${name}] paused at ${(accuracy * 100).toFixed(2)} % (first evaluation at or above ${TARGET * 100} %)`);
    });

    let counts;
    test('the confusion matrix covers the 10,000 test images and its diagonal is the Test accuracy shown', async () => {
      await waitForMatchingMatrix(page); // the paused weights' evaluation, once it has arrived
      counts = await readMatrix(page);
      const total = sum(counts.flat());
      const diagonal = sum(counts.map((row, d) => row[d]));
      assert.equal(total, 10_000);
      const shown = await accuracyText(page);
      assert.equal(`${((diagonal / total) * 100).toFixed(2)} %`, shown, 'diagonal / total is the Test accuracy');
      assert.ok(diagonal / total >= TARGET, `${diagonal} right`);
      const name33 = `3 read as 3: ${counts[3][3]} images`;
      assert.ok(await page.$(`::-p-aria([name="${name33}"][role="button"])`), `a button named "${name33}"`);
    });

    test('per-digit accuracy shows ten values, each its row of the matrix', async () => {
      const items = await page.$$eval(`${PER_DIGIT} li`, (lis) => lis.map((li) => ({
        label: li.getAttribute('aria-label'), value: li.querySelector('.value').textContent,
      })));
      assert.equal(items.length, 10);
      items.forEach(({ label, value }, d) => {
        const match = /^(\d): (\d+(?:\.\d)?)% correct$/.exec(label);
        assert.ok(match, `"${label}"`);
        assert.equal(Number(match[1]), d);
        assert.equal(value, `${match[2]}%`, 'the same value is shown');
        const expected = (100 * counts[d][d]) / sum(counts[d]);
        assert.ok(Math.abs(Number(match[2]) - expected) <= 0.051, `digit ${d}: ${match[2]} % vs ${expected.toFixed(2)} %`);
        assert.ok(Number(match[2]) > 80, `every digit is mostly read right, ${d}: ${match[2]} %`);
      });
    });

    test('clicking an off-diagonal cell shows its test images', async () => {
      // The most frequent confusion.
      let best = { a: 0, p: 1, n: -1 };
      counts.forEach((row, a) => row.forEach((n, p) => {
        if (a !== p && n > best.n) best = { a, p, n };
      }));
      assert.ok(best.n > 0, 'at ≥ 95 % there are mistakes');
      await clickButton(page, `${best.a} read as ${best.p}: ${best.n} images`);
      const expected = Math.min(best.n, CELL_LIMIT);
      await page.waitForFunction((s, n) => document.querySelectorAll(`${s} li`).length === n, {}, CELL_IMAGES, expected);
      await frames(page);
      const items = await page.$$eval(`${CELL_IMAGES} li`, (lis) => lis.map((li) => {
        const { data } = li.querySelector('canvas').getContext('2d').getImageData(0, 0, 28, 28);
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) ink += data[i] < 128;
        return { label: li.getAttribute('aria-label'), ink };
      }));
      assert.equal(items.length, expected, `${best.n} images, at most ${CELL_LIMIT} shown`);
      const indices = new Set();
      for (const { label, ink } of items) {
        const match = /^Test image (\d+): a (\d) read as (\d), \d+(?:\.\d)?% sure$/.exec(label);
        assert.ok(match, `"${label}"`);
        assert.deepEqual([Number(match[2]), Number(match[3])], [best.a, best.p]);
        indices.add(match[1]);
        assert.ok(ink > 20, `test image ${match[1]} is drawn (${ink} dark pixels)`);
      }
      assert.equal(indices.size, items.length, 'different images');
      assert.match(await page.$eval('#cell-title', (el) => el.textContent), new RegExp(`${best.n} test images?: ${best.a}s read as ${best.p}`));
      assert.equal(await page.$eval(SEL.button(`${best.a} read as ${best.p}: ${best.n} images`), (el) => el.getAttribute('aria-pressed')), 'true');
    });

    test('the gallery shows misclassified test images with their top probabilities', async () => {
      const wrong = 10_000 - sum(counts.map((row, d) => row[d]));
      const expected = Math.min(wrong, GALLERY_SIZE);
      await page.waitForFunction((s, n) => document.querySelectorAll(`${s} li`).length === n, {}, GALLERY, expected);
      const items = await page.$$eval(`${GALLERY} li`, (lis) => lis.map((li) => ({
        label: li.getAttribute('aria-label'),
        verdict: li.querySelector('.verdict').textContent,
        ranks: [...li.querySelectorAll('.rank')].map((r) => r.textContent),
      })));
      const digitsShown = new Set();
      for (const { label, verdict, ranks } of items) {
        const match = /^Test image (\d+): a (\d), read as (\d); most likely (.*)$/.exec(label);
        assert.ok(match, `"${label}"`);
        const [truth, answer] = [Number(match[2]), Number(match[3])];
        assert.notEqual(truth, answer, 'a mistake');
        assert.equal(verdict, `${truth} → ${answer}`);
        digitsShown.add(truth);
        const top = match[4].split(', ').map((part) => {
          const m = /^(\d) \((\d+(?:\.\d)?)%\)$/.exec(part);
          assert.ok(m, `"${part}"`);
          return { digit: Number(m[1]), p: Number(m[2]), text: `${m[1]} ${m[2]}%` };
        });
        assert.equal(top.length, 3, 'the three most likely digits');
        assert.equal(top[0].digit, answer, 'the answer is the most likely digit');
        assert.ok(top[0].p >= top[1].p && top[1].p >= top[2].p, 'most likely first');
        assert.ok(sum(top.map((t) => t.p)) <= 100.5, 'probabilities, not more than 100 % together');
        assert.deepEqual(ranks, top.map((t) => t.text), 'shown as in the name');
      }
      assert.ok(digitsShown.size >= Math.min(8, expected), `mistakes of many digits, got ${[...digitsShown]}`);
      assert.match(await page.$eval('#gallery-summary', (el) => el.textContent), new RegExp(`gets ${wrong.toLocaleString('en')} test images? of 10,000 wrong`));
    });

    test('drawing on the pad shows the hidden layers’ activity and outlines the most active units', async () => {
      const idle = await canvasPrint(page, ACTIVATIONS);
      const weightsBefore = await canvasPrint(page, WEIGHTS);
      await draw(page, Object.values(DIGITS[3])[0]);
      await page.waitForFunction((s) => document.querySelector(s).dataset.state === 'drawing', {}, ACTIVATIONS);
      const drawn = await waitForNewPicture(page, ACTIVATIONS, idle);
      assert.ok(drawn.colours > 8, 'units of several strengths');
      assert.equal(await page.$eval(ACTIVATIONS, (el) => el.dataset.layers), '2', 'the hidden layer and the output');
      const summary = await page.$eval('#activations-summary', (el) => el.textContent);
      assert.match(summary, /The 3 most active units of the first hidden layer \(\d+, \d+, \d+\)/);
      await waitForNewPicture(page, WEIGHTS, weightsBefore); // their tiles are outlined
      // One more stroke changes what the units see.
      await draw(page, [[[0.1, 0.9], [0.9, 0.9]]]);
      await waitForNewPicture(page, ACTIVATIONS, drawn);
      await page.$eval('.inspect-panel', (el) => el.scrollIntoView());
      await frames(page);
      await screenshotElement(page, '.inspect-panel', name, 'inspect');
      await clickButton(page, 'Clear');
      await page.waitForFunction((s) => document.querySelector(s).dataset.state === 'idle', {}, ACTIVATIONS);
    });

    test('without hidden layers the weights are the 10 output units; with two, both layers are active', async () => {
      await clickButton(page, 'Reset');
      await waitForState(page, 'ready');
      await setLayers(page, '', '784-10');
      await page.waitForFunction((s) => document.querySelector(s).dataset.units === '10', {}, WEIGHTS);
      const print = await settledPrint(page, WEIGHTS);
      assert.deepEqual([print.width, print.height], [10 * 30 + 2, 30 + 2], 'one row of 10 tiles');
      assert.ok(print.colours > 32);
      assert.match(await page.$eval('#weights-caption', (el) => el.textContent), /No hidden layers: the 10 output units/);
      await draw(page, Object.values(DIGITS[7])[0]);
      await page.waitForFunction((s) => document.querySelector(s).dataset.layers === '1', {}, ACTIVATIONS);
      assert.match(await page.$eval('#activations-summary', (el) => el.textContent), /No hidden layers/);

      await setLayers(page, '32-16', '784-32-16-10');
      await page.waitForFunction((s) => document.querySelector(s).dataset.units === '32', {}, WEIGHTS);
      await page.waitForFunction((s) => document.querySelector(s).dataset.layers === '3', {}, ACTIVATIONS);
      // A fresh evaluation arrives for the new network and the matrix follows it.
      await waitForMatchingMatrix(page);
      assert.equal(sum((await readMatrix(page)).flat()), 10_000);
      await clickButton(page, 'Clear');
    });

    test('off screen while it trains, the views wait; scrolled into view, they catch up', { timeout: FINISH_TIMEOUT }, async () => {
      await clickButton(page, 'Reset');
      await waitForState(page, 'ready');
      await setLongRun(page); // still under way while the panel is looked at
      // The fresh weights' views, drawn while nothing trains.
      await page.$eval('.inspect-panel', (el) => el.scrollIntoView());
      await waitForMatchingMatrix(page);
      const before = await settledPrint(page, WEIGHTS);
      const matrixBefore = JSON.stringify(await readMatrix(page));
      const namesBefore = (await matrixNames(page)).join();
      await page.evaluate(() => window.scrollTo(0, 0));
      await frames(page);
      await page.evaluate((s) => {
        window.accuracyChanges = 0;
        new MutationObserver(() => { window.accuracyChanges += 1; })
          .observe(document.querySelector(s), { childList: true, characterData: true, subtree: true });
      }, SEL.accuracy);
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      // Two test evaluations go by while the panel is off screen: neither the weights nor the
      // matrix move.
      await page.waitForFunction(() => window.accuracyChanges >= 2, { timeout: STEP_TIMEOUT, polling: 100 });
      assert.equal(await state(page), 'training', 'still training (a 20-epoch run)');
      assert.equal((await canvasPrint(page, WEIGHTS)).hash, before.hash, 'the weights waited off screen');
      assert.equal(JSON.stringify(await readMatrix(page)), matrixBefore, 'the confusion matrix waited off screen');
      await page.$eval('.inspect-panel', (el) => el.scrollIntoView());
      await waitForNewPicture(page, WEIGHTS, before);
      await page.waitForFunction((m, was) => {
        const names = [...document.querySelectorAll(`${m} button`)].map((b) => b.getAttribute('aria-label')).join();
        return names && names !== was;
      }, { timeout: STEP_TIMEOUT }, MATRIX, namesBefore);
      assert.equal(await state(page), 'training', 'they caught up while it trains');
      await clickButton(page, 'Pause');
      await waitForState(page, 'paused');
      await waitForMatchingMatrix(page);
    });

    test('no console error and no page error during all this', () => {
      assert.deepEqual(log.consoleErrors, [], `HTTP errors: ${JSON.stringify(log.badResponses)}`);
      assert.deepEqual(log.pageErrors, []);
    });

    test('the panel reported no failure of its own', async () => {
      assert.equal(await page.$eval('#inspect-status', (el) => el.textContent), '');
    });
  });
}
