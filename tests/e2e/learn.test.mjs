// "4 · How it works", end to end in both browsers, the way a person uses it: draw a 3, pick its true
// label, step through the whole forward and backward pass with the keyboard (every step has its
// formula in MathML, its shapes and its numbers), run the gradient check (every relative error
// below the stated tolerance), turn on the "Why this answer" overlay, switch to a test image, and
// compare the seed network with the default recipe for one epoch — which pauses the main training,
// and is paused by it; last, a network with two hidden layers repeats the steps per layer.
// Screenshots: artifacts/screenshots/<browser>-learn-*.png.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './browsers.mjs';
import {
  LOAD_TIMEOUT, SEL, STEP_TIMEOUT, clickButton, frames, readyPageForSuite, screenshotElement, serveSite, state, waitForState
} from './helpers.mjs';
import { DIGITS, drawDigit } from './strokes.mjs';

const COMPARE_TIMEOUT = 240_000;
const PANEL = 'section.learn-panel';
const STEPPER = '#math-stepper';
const GRADCHECK = '[aria-label="Gradient check"]';
const SALIENCY = '#saliency';
const COMPARE = '#compare-block';
const RESULTS = '[aria-label="Comparison results"]';

const server = serveSite();

const SUP = { 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const sup = (n) => String(n).replace(/\d/g, (d) => SUP[d]);
const a = (l) => (l === 0 ? 'X' : `A${sup(l)}`);

/** The titles of the steps for a network of L weight layers, in order. */
function expectedTitles(L) {
  const titles = ['The input X'];
  for (let l = 1; l <= L; l++) {
    titles.push(`Z${sup(l)} = W${sup(l)}${a(l - 1)} + b${sup(l)}`);
    titles.push(l < L ? `A${sup(l)} = ReLU(Z${sup(l)})` : `A${sup(l)} = softmax(Z${sup(l)})`);
  }
  titles.push(`L = −Σ Y log A${sup(L)}`);
  for (let l = L; l >= 1; l--) {
    titles.push(l === L ? `dZ${sup(l)} = A${sup(l)} − Y` : `dZ${sup(l)} = (W${sup(l + 1)})ᵀ dZ${sup(l + 1)} ⊙ ReLU′(Z${sup(l)})`);
    titles.push(`dW${sup(l)} = (1/m) dZ${sup(l)} (${a(l - 1)})ᵀ`);
    titles.push(`db${sup(l)} = (1/m) Σ dZ${sup(l)}`);
  }
  titles.push('W ← W − α dW,  b ← b − α db');
  return titles;
}

/** What the stepper shows now. */
function readStep(page) {
  return page.$eval(STEPPER, (stepper) => {
    const card = stepper.querySelector('#step-card');
    const math = card.querySelector('.step-formula math');
    return {
      index: Number(stepper.dataset.step),
      steps: Number(stepper.dataset.steps),
      count: stepper.querySelector('#step-count').textContent,
      title: card.querySelector('#step-title')?.textContent ?? '',
      mathElements: math ? math.querySelectorAll('*').length : 0,
      mathNamespace: math?.namespaceURI ?? '',
      shape: card.querySelector('.step-shape')?.textContent ?? '',
      numbers: card.querySelector('.step-numbers')?.textContent ?? '',
      current: [...stepper.querySelectorAll('#step-list li')].findIndex((li) => li.getAttribute('aria-current') === 'step'),
      nextDisabled: stepper.querySelector('#step-next').getAttribute('aria-disabled'),
      previousDisabled: stepper.querySelector('#step-prev').getAttribute('aria-disabled'),
      focused: stepper.contains(document.activeElement),
    };
  });
}

async function waitForStep(page, index) {
  await page.waitForFunction((s, i) => document.querySelector(s).dataset.step === String(i), { timeout: STEP_TIMEOUT }, STEPPER, index);
  return readStep(page);
}

/** Saves a screenshot of one element as artifacts/screenshots/<browser>-learn-<what>.png. */
async function shoot(page, selector, browserName, what) {
  await page.$eval(selector, (el) => el.scrollIntoView());
  await frames(page, 2);
  await screenshotElement(page, selector, browserName, `learn-${what}`);
}

/** Counts a canvas' pixels that are clearly red, clearly blue, and grey (r = g = b). */
function colourCounts(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const counts = { red: 0, blue: 0, grey: 0, total: data.length / 4 };
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r === g && g === b) counts.grey++;
      else if (r > b + 40) counts.red++;
      else if (b > r + 40) counts.blue++;
    }
    return counts;
  });
}

/** Pixels of a uPlot chart's canvas close to a colour given as '#rrggbb'. */
function pixelsOfColour(page, selector, hex) {
  return page.$eval(selector, (root, colour) => {
    const canvas = root.querySelector('canvas');
    const [r0, g0, b0] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) < 60 && data[i + 3] > 200) n++;
    }
    return n;
  }, hex);
}

for (const name of BROWSERS) {
  describe(`how it works in ${name}`, () => {
    let page;
    let log;
    readyPageForSuite(name, server, async (opened) => {
      ({ page, log } = opened);
      // The page starts with the pretrained ConvNet, whose walk-through is the convolution's
      // (tests/e2e/convnet.test.mjs); these steps are the MLP's, on the Fast recipe's fresh weights.
      await clickButton(page, 'Reset');
      await page.waitForFunction(() => /^Fresh, untrained weights \(784-128-10/.test(document.getElementById('model-in-use').textContent),
        { timeout: STEP_TIMEOUT });
    }, { timeout: LOAD_TIMEOUT + 60_000 });

    test('the panel is a region named "How it works" with its controls named for a screen reader', async () => {
      // Named by its heading, "4 · How it works".
      assert.ok(await page.$('::-p-aria([name="4 · How it works"][role="region"])'), 'a region named How it works');
      for (const button of ['Next step', 'Previous step', 'Run gradient check', 'Why this answer', 'Compare runs']) {
        assert.ok(await page.$(`::-p-aria([name="${button}"][role="button"])`), `a button named ${button}`);
      }
      assert.ok(await page.$('::-p-aria([name="True label"][role="combobox"])'), 'a True label picker');
      assert.ok(await page.$(GRADCHECK), 'a table named Gradient check');
      // Nothing drawn yet: the stepper says what to do.
      assert.match(await page.$eval('#step-card', (el) => el.textContent), /Draw a digit/);
      assert.equal(await page.$eval(SEL.button('Run gradient check'), (el) => el.disabled), true);
    });

    let steps;
    test('step through the whole forward and backward pass for a drawn 3, with the keyboard', async () => {
      await drawDigit(page, SEL.pad, DIGITS[3].round, { size: 0.6, cx: 0.5, cy: 0.5 });
      await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== '', { timeout: 30_000 }, SEL.prediction);
      await page.waitForFunction((s) => Number(document.querySelector(s).dataset.steps) > 0, { timeout: STEP_TIMEOUT }, STEPPER);
      // The person says it is a 3.
      const picker = await page.$('::-p-aria([name="True label"][role="combobox"])');
      await picker.select('3');
      await picker.dispose();
      await page.waitForFunction(() => /true label 3/.test(document.getElementById('learn-example-status').textContent)
        || /read as 3\./.test(document.getElementById('learn-example-status').textContent));

      const first = await readStep(page);
      steps = first.steps;
      assert.equal(await page.$eval('#math-convnet-note', (el) => el.hidden), true, 'no ConvNet note for an MLP');
      assert.equal((steps - 3) % 5, 0, `5 steps per layer and 3 more (got ${steps})`);
      const layers = (steps - 3) / 5;
      assert.ok(layers >= 1);
      const titles = expectedTitles(layers);

      // Keyboard only: focus "Next step" and press Enter through every step.
      const next = await page.waitForSelector(SEL.button('Next step'));
      await next.focus();
      await next.dispose();
      const seen = [];
      for (let i = 0; i < steps; i++) {
        const step = i === 0 ? await readStep(page) : await waitForStep(page, i);
        seen.push(step.title);
        assert.equal(step.index, i);
        assert.equal(step.title, titles[i], `step ${i + 1}`);
        assert.equal(step.count.startsWith(`Step ${i + 1} of ${steps}`), true, step.count);
        assert.equal(step.current, i, 'the step list marks the current step');
        assert.equal(step.mathNamespace, 'http://www.w3.org/1998/Math/MathML', `step ${i + 1} has a MathML formula`);
        assert.ok(step.mathElements >= 3, `step ${i + 1}: a real formula (${step.mathElements} elements)`);
        assert.match(step.shape, /\d+ × \d+|α =/, `step ${i + 1} states shapes: ${step.shape}`);
        assert.ok(/\d/.test(step.numbers), `step ${i + 1} shows numbers`);
        assert.ok(step.focused, 'the focus stays in the stepper');
        if (step.title.includes('softmax')) {
          // The ten probabilities, adding up to 100 %, and the network's answer marked: the Prediction.
          const bars = await page.$$eval('#step-card .prob-bars li', (lis) => lis.map((li) => ({
            value: Number(li.querySelector('.value').textContent.replace(/[^\d.]/g, '')), predicted: li.classList.contains('predicted'),
          })));
          assert.equal(bars.length, 10);
          const total = bars.reduce((s, b) => s + b.value, 0);
          assert.ok(Math.abs(total - 100) < 0.1, `probabilities add up to ${total} %`);
          const predicted = bars.findIndex((b) => b.predicted);
          assert.equal(String(predicted), await page.$eval(SEL.prediction, (el) => el.textContent.trim()), 'the page’s Prediction');
          await shoot(page, PANEL, name, 'steps');
        }
        if (step.title.startsWith('L =')) {
          assert.match(step.numbers, /L = \d+\.\d+/);
        }
        if (i < steps - 1) await page.keyboard.press('Enter');
      }
      assert.deepEqual(seen, titles);
      const last = await readStep(page);
      assert.equal(last.nextDisabled, 'true', 'no step after the update');
      await page.keyboard.press('Enter');
      await frames(page);
      assert.equal((await readStep(page)).index, steps - 1, 'Enter on the last step stays there');

      // Arrow keys, Home and End while the stepper has the focus.
      await page.keyboard.press('ArrowLeft');
      assert.equal((await waitForStep(page, steps - 2)).title, titles[steps - 2]);
      await page.keyboard.press('Home');
      const home = await waitForStep(page, 0);
      assert.equal(home.previousDisabled, 'true');
      await page.keyboard.press('ArrowRight');
      await waitForStep(page, 1);
      await page.keyboard.press('End');
      await waitForStep(page, steps - 1);
      await shoot(page, '#step-card', name, 'update');
      // Back to the softmax for the screenshots that follow.
      await page.keyboard.press('Home');
      for (let i = 0; i < 2 * layers; i++) await page.keyboard.press('ArrowRight');
      await waitForStep(page, 2 * layers);
    });

    test('the gradient check shows backprop and finite differences agreeing within the stated tolerance', async () => {
      await clickButton(page, 'Run gradient check');
      await page.waitForFunction((s) => document.querySelectorAll(`${s} tbody tr`).length > 0, { timeout: STEP_TIMEOUT }, GRADCHECK);
      const rows = await page.$$eval(`${GRADCHECK} tbody tr`, (trs) => trs.map((tr) => ({
        parameter: tr.querySelector('th').textContent,
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
        error: Number(tr.dataset.relativeError),
      })));
      const tolerance = Number(await page.$eval(GRADCHECK, (el) => el.dataset.tolerance));
      assert.equal(tolerance, 0.01, 'the tolerance is 1 %');
      const layers = (steps - 3) / 5;
      assert.ok(rows.length >= 3 * layers && rows.length <= 4 * layers, `up to two weights and two biases of every layer: ${rows.length}`);
      for (const row of rows) {
        assert.match(row.parameter, /^[Wb][¹²³⁴⁵⁶⁷⁸⁹⁰]+\[\d+(, \d+)?\]$/);
        assert.ok(row.error >= 0 && row.error < tolerance, `${row.parameter}: relative error ${row.error}`);
        assert.equal(row.cells.at(-1), '✓');
        assert.match(row.cells[1], /\d/, 'backprop’s value is shown');
        assert.match(row.cells[2], /\d/, 'the finite difference is shown');
      }
      const summary = await page.$eval('#gradcheck-summary', (el) => el.textContent);
      assert.match(summary, new RegExp(`^All ${rows.length} agree`));
      console.log(`[${name}] gradient check: ${rows.map((r) => `${r.parameter} ${r.error.toExponential(1)}`).join(', ')}`);
      await shoot(page, '.gradcheck-block', name, 'gradcheck');
    });

    test('"Why this answer" overlays which pixels pushed the answer up (red) or down (blue)', async () => {
      const plain = await colourCounts(page, SALIENCY);
      assert.equal(plain.grey, plain.total, 'without the overlay the example is grey');
      await clickButton(page, 'Why this answer');
      await page.waitForFunction((s) => document.querySelector(s).dataset.overlay !== '', { timeout: STEP_TIMEOUT }, SALIENCY);
      assert.equal(await page.$eval(SEL.button('Why this answer'), (el) => el.getAttribute('aria-pressed')), 'true');
      const predicted = await page.$eval(SEL.prediction, (el) => el.textContent.trim());
      assert.equal(await page.$eval(SALIENCY, (el) => el.dataset.overlay), predicted, 'it explains the network’s answer');
      const overlay = await colourCounts(page, SALIENCY);
      assert.ok(overlay.red > 20 && overlay.blue > 20, `both directions are shown: ${JSON.stringify(overlay)}`);
      assert.match(await page.$eval('#saliency-caption', (el) => el.textContent), /log P\(\d\) = −?\d/);
      assert.match(await page.$eval(SALIENCY, (el) => el.getAttribute('aria-label')), /^Saliency of digit \d/);
      // Another digit: the overlay follows.
      const other = predicted === '8' ? '5' : '8';
      await page.select('#saliency-digit', other);
      await page.waitForFunction((s, d) => document.querySelector(s).dataset.overlay === d, { timeout: STEP_TIMEOUT }, SALIENCY, other);
      await shoot(page, '.example-block', name, 'saliency');
      await page.select('#saliency-digit', '');
      await clickButton(page, 'Why this answer');
      await page.waitForFunction((s) => document.querySelector(s).dataset.overlay === '', { timeout: STEP_TIMEOUT }, SALIENCY);
      assert.equal((await colourCounts(page, SALIENCY)).grey, plain.total, 'off again');
    });

    test('a test image can be taken apart instead, with its MNIST label as the true label', async () => {
      const radio = await page.$('::-p-aria([name="Test image"][role="radio"])');
      await radio.click();
      await radio.dispose();
      const field = await page.waitForSelector('::-p-aria(Test image number)');
      await field.click({ count: 3 });
      await field.type('7');
      await page.keyboard.press('Tab');
      await field.dispose();
      await page.waitForFunction(() => /^Test image 7 of MNIST, labelled \d/.test(document.getElementById('learn-example-status').textContent),
        { timeout: STEP_TIMEOUT });
      const status = await page.$eval('#learn-example-status', (el) => el.textContent);
      const label = /labelled (\d)/.exec(status)[1];
      assert.equal(await page.$eval('#learn-label', (el) => el.value), label, 'the true label is the test label');
      const step = await readStep(page);
      assert.equal(step.steps, steps);
      assert.match(step.title, /softmax/, 'the stepper stays on its step');
      assert.match(await page.$eval('#step-card', (el) => el.querySelector('.prob-bars li.true .digit').textContent), new RegExp(`^${label}$`));
      await clickButton(page, 'Run gradient check');
      await page.waitForFunction(() => /^All \d+ agree/.test(document.getElementById('gradcheck-summary').textContent), { timeout: STEP_TIMEOUT });
      assert.match(await page.$eval(GRADCHECK, (el) => el.caption.textContent), /test image 7/);
    });

    test('two runs side by side: the seed network against the default recipe, both curves on one chart', { timeout: COMPARE_TIMEOUT + 120_000 }, async () => {
      // The main training runs; starting the comparison pauses it.
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      await clickButton(page, 'Compare runs');
      await waitForState(page, ['paused', 'ready']);
      assert.equal(await page.$eval(COMPARE, (el) => el.dataset.state), 'running');
      // And training again pauses the comparison.
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      await page.waitForFunction((s) => document.querySelector(s).dataset.state === 'paused', { timeout: STEP_TIMEOUT }, COMPARE);
      assert.match(await page.$eval('#compare-status', (el) => el.textContent), /Paused while the network in section 1 trains/);
      await clickButton(page, 'Pause');
      await waitForState(page, 'paused');
      await clickButton(page, 'Resume comparison');
      assert.equal(await state(page), 'paused', 'the main training stays paused');

      // Frame times while it runs, for the log (a loaded machine proves nothing about speed).
      await page.evaluate(() => {
        window.learnFrames = [];
        let last = performance.now();
        const tick = (now) => {
          window.learnFrames.push(now - last);
          last = now;
          if (document.getElementById('compare-block').dataset.state === 'running') requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      await page.waitForFunction((s) => document.querySelector(s).dataset.state === 'done', { timeout: COMPARE_TIMEOUT, polling: 500 }, COMPARE);
      const gaps = await page.evaluate(() => window.learnFrames.slice(1).sort((x, y) => x - y));
      if (gaps.length) console.log(`[${name}] comparison frames: median ${gaps[gaps.length >> 1].toFixed(1)} ms, 90th percentile ${gaps[Math.floor(gaps.length * 0.9)].toFixed(1)} ms over ${gaps.length}`);

      const runs = await page.$$eval(`${RESULTS} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
      assert.equal(runs.length, 2);
      const [seedRun, recipeRun] = runs.map(([run, label, steps, examples, accuracy, loss, status]) => ({
        run, label, steps: Number(steps.replace(/,/g, '')), examples: Number(examples.replace(/,/g, '')),
        accuracy: Number(accuracy.replace(/[^\d.]/g, '')) / 100, loss: Number(loss), status,
      }));
      assert.match(seedRun.label, /Seed network/);
      assert.match(recipeRun.label, /Fast recipe/);
      assert.equal(seedRun.steps, 1, 'full-batch gradient descent: one step in one epoch');
      assert.equal(recipeRun.steps, 1875, 'batches of 32: 1,875 steps in one epoch');
      assert.equal(seedRun.examples, 60_000);
      assert.equal(recipeRun.examples, 60_000);
      assert.deepEqual([seedRun.status, recipeRun.status], ['finished', 'finished']);
      assert.ok(recipeRun.accuracy > 0.9, `the recipe learns in one epoch: ${recipeRun.accuracy}`);
      assert.ok(recipeRun.accuracy > seedRun.accuracy + 0.3, `${recipeRun.accuracy} vs ${seedRun.accuracy}`);
      // Both curves are drawn on the accuracy chart, in their colours.
      await frames(page, 2);
      const orange = await pixelsOfColour(page, '#compare-accuracy-chart', '#ea580c');
      const blue = await pixelsOfColour(page, '#compare-accuracy-chart', '#2563eb');
      assert.ok(orange > 200 && blue > 200, `two curves: ${orange} orange and ${blue} blue pixels`);
      assert.match(await page.$eval('#compare-status', (el) => el.textContent), /^Done: .*run A 1 step, run B 1,875 steps/);
      await shoot(page, COMPARE, name, 'compare');
    });

    test('with two hidden layers the same steps repeat per layer', async () => {
      const field = await page.waitForSelector('input[name="layers"]');
      await field.click({ count: 3 });
      await page.keyboard.press('Backspace');
      await field.type('32-16');
      await field.dispose();
      // A fixed seed: with a random one, now and then no first-layer weight has a gradient large
      // enough to check for this drawing, and the gradient-check assertion below would be luck.
      const seed = await page.waitForSelector('input[name="seed"]');
      await seed.click({ count: 3 });
      await page.keyboard.press('Backspace');
      await seed.type('11');
      await seed.dispose();
      await clickButton(page, 'Reset');
      await page.waitForFunction(() => document.getElementById('status')?.textContent.includes('Network 784-32-16-10 ') && document.getElementById('status')?.textContent.includes('seed 11.'),
        { timeout: STEP_TIMEOUT });
      await page.waitForFunction((s) => document.querySelector(s).dataset.steps === '18', { timeout: STEP_TIMEOUT }, STEPPER);
      const titles = expectedTitles(3);
      await page.focus(STEPPER);
      await page.keyboard.press('Home');
      const seen = [(await waitForStep(page, 0)).title];
      for (let i = 1; i < titles.length; i++) {
        await page.keyboard.press('ArrowRight');
        const step = await waitForStep(page, i);
        assert.equal(step.mathNamespace, 'http://www.w3.org/1998/Math/MathML');
        seen.push(step.title);
      }
      assert.deepEqual(seen, titles);
      // Backward from the top: the loss gradient of the third layer, then the second's through W³.
      const top = titles.indexOf('dZ³ = A³ − Y');
      const below = titles.indexOf('dZ² = (W³)ᵀ dZ³ ⊙ ReLU′(Z²)');
      assert.deepEqual([top, below], [8, 11]);
      await page.keyboard.press('Home');
      for (let i = 0; i < below; i++) await page.keyboard.press('ArrowRight');
      await waitForStep(page, below);
      await shoot(page, '.math-block', name, 'deep');
      // A fresh network: a unit may have no gradient large enough to measure, so not every tensor
      // need have two parameters — but every one checked must agree.
      await clickButton(page, 'Run gradient check');
      await page.waitForFunction(() => /^All \d+ agree/.test(document.getElementById('gradcheck-summary').textContent), { timeout: STEP_TIMEOUT });
      const checked = await page.$$eval(`${GRADCHECK} tbody tr`, (trs) => trs.map((tr) => tr.querySelector('th').textContent));
      assert.ok(checked.length >= 8, `parameters of all three layers: ${checked.join(', ')}`);
      for (const l of ['¹', '²', '³']) assert.ok(checked.some((p) => p.startsWith(`W${l}`)), `some W${l} in ${checked.join(', ')}`);
    });

    test('the whole panel, and no errors on the way', async () => {
      await shoot(page, PANEL, name, 'panel');
      assert.deepEqual(log.consoleErrors, [], `HTTP errors: ${JSON.stringify(log.badResponses)}`);
      assert.deepEqual(log.pageErrors, []);
    });
  });
}
