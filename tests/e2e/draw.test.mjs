// Drawing digits: after training once per browser (seed 7, to ≥ 97 % and on to the end of the
// default run), hand-written strokes are drawn with the mouse on the Drawing pad at several sizes
// and places, and the Prediction must name the digit. Clear empties the pad and the Prediction.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BROWSERS, launchBrowser } from './browsers.mjs';
import {
  ACCURACY_TIMEOUT, FINISH_TIMEOUT, LOAD_TIMEOUT, clickButton, drawAndRead, frames, openPage, prediction, screenshot,
  serveSite, testAccuracy, trainToCompletion,
} from './helpers.mjs';
import { BASIC_PLACE, DIGITS, PLACES } from './strokes.mjs';

const SEED = 7;
const REQUIRED_OVERALL = 0.9;
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

const server = serveSite();

function table(name, results) {
  const cell = (r) => (r ? `${r.predicted === r.digit ? 'ok' : `✗ ${r.predicted || '·'}`} ${r.confidence.replace(/\s*sure$/, '')}`.trim() : '');
  const width = Math.max(...PLACES.map((p) => p.label.length));
  const header = ['digit / style'.padEnd(18), ...PLACES.map((p) => p.label.padEnd(width))].join(' | ');
  const lines = [`drawn digits read in ${name}:`, header, '-'.repeat(header.length)];
  for (const [digit, styles] of Object.entries(DIGITS)) {
    for (const style of Object.keys(styles)) {
      const row = PLACES.map((place) => cell(results.find((r) => r.digit === digit && r.style === style && r.place === place)));
      lines.push([`${digit} ${style}`.padEnd(18), ...row.map((c) => c.padEnd(width))].join(' | '));
    }
  }
  const right = results.filter((r) => r.predicted === r.digit).length;
  lines.push(`${right} of ${results.length} read correctly (${((100 * right) / results.length).toFixed(1)} %)`);
  return lines.join('\n');
}

for (const name of BROWSERS) {
  describe(`drawing digits in ${name}`, () => {
    let browser;
    let page;
    let log;
    const results = []; // { digit, style, place, predicted, confidence }

    before(async () => {
      browser = await launchBrowser(name);
      ({ page, log } = await openPage(browser.defaultBrowserContext(), server.url));
      // One training run per browser: the default recipe, seed 7, to the end (≥ 97 % on the way).
      await trainToCompletion(page, SEED);
    }, { timeout: LOAD_TIMEOUT + ACCURACY_TIMEOUT + FINISH_TIMEOUT });
    after(async () => {
      await browser?.close();
    });

    test('the Drawing pad and the Prediction are in the accessibility tree', async () => {
      const pad = await page.waitForSelector('::-p-aria(Drawing pad)');
      assert.equal(await pad.evaluate((el) => el.tagName), 'CANVAS');
      const output = await page.waitForSelector('::-p-aria(Prediction)');
      assert.equal(await output.evaluate((el) => el.tagName), 'OUTPUT');
      await page.waitForSelector('::-p-aria([name="Clear"][role="button"])');
    });

    test('the network has learned: at least 97 % test accuracy', async () => {
      const accuracy = await testAccuracy(page);
      console.log(`[${name}] trained to ${(accuracy * 100).toFixed(2)} % test accuracy`);
      assert.ok(accuracy >= 0.97, `test accuracy ${accuracy}`);
    });

    test('reads every digit in its basic style, drawn centred at 60 % of the pad', { timeout: 300_000 }, async () => {
      for (const [digit, styles] of Object.entries(DIGITS)) {
        const [style, strokes] = Object.entries(styles)[0];
        const read = await drawAndRead(page, strokes, BASIC_PLACE);
        results.push({ digit, style, place: BASIC_PLACE, ...read });
        if (digit === '2') await screenshot(page, name, 'drawn');
      }
      const wrong = results.filter((r) => r.predicted !== r.digit);
      assert.deepEqual(wrong.map((r) => `${r.digit} (${r.style}) read as "${r.predicted}"`), []);
    });

    test(`reads at least ${REQUIRED_OVERALL * 100} % of all styles, sizes and places`, { timeout: 900_000 }, async () => {
      for (const [digit, styles] of Object.entries(DIGITS)) {
        for (const [style, strokes] of Object.entries(styles)) {
          for (const place of PLACES) {
            if (results.some((r) => r.digit === digit && r.style === style && r.place === place)) continue;
            results.push({ digit, style, place, ...(await drawAndRead(page, strokes, place)) });
          }
        }
      }
      const report = table(name, results);
      console.log(report);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(`${ARTIFACTS}drawn-digits-${name}.txt`, `${report}\n`);
      const right = results.filter((r) => r.predicted === r.digit).length;
      assert.ok(right / results.length >= REQUIRED_OVERALL,
        `${right} of ${results.length} drawn digits read correctly, fewer than ${REQUIRED_OVERALL * 100} %`);
    });

    test('Clear empties the pad and the Prediction', async () => {
      await drawAndRead(page, DIGITS[8][Object.keys(DIGITS[8])[0]], BASIC_PLACE);
      assert.notEqual(await prediction(page), '', 'a drawing has a prediction');
      await clickButton(page, 'Clear');
      assert.equal(await prediction(page), '', 'the Prediction is empty');
      const inkLeft = await page.$eval('canvas[aria-label="Drawing pad"]', (canvas) => {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) dark++;
        return dark;
      });
      assert.equal(inkLeft, 0, 'no ink is left on the pad');
      await frames(page, 2);
      assert.equal(await prediction(page), '', 'and it stays empty');
    });

    test('no console error and no page error during all this', () => {
      assert.deepEqual(log.consoleErrors, []);
      assert.deepEqual(log.pageErrors, []);
    });
  });
}
