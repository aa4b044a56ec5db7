// The frame scheduler as a person meets it: while training, the page says where its time goes (the
// training share under the charts); when the tab is hidden, animation frames stop, the page says
// training waits and the progress holds; shown again, it goes on by itself, and the time left does
// not jump for the minutes it was away.
//
// Hiding a tab cannot be done in a headless browser, so the test does what the browser would: it
// makes document.visibilityState say "hidden" and sends visibilitychange. Animation frames keep
// coming in that case, so the test also shows that the page, not the browser, stops the work.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS } from './browsers.mjs';
import {
  SEL, STEP_TIMEOUT, clickButton, readyPageForSuite, progress, serveSite, setLongRun, setSeed, state, text, waitForState,
} from './helpers.mjs';

const SEED = 11;
const HIDDEN_MESSAGE = /Training is paused while this tab is hidden/;
const server = serveSite();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes the page believe its tab was hidden (true) or shown (false), as the browser tells it. */
const setHidden = (page, hidden) => page.evaluate((h) => {
  Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
  Object.defineProperty(document, 'hidden', { value: h, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

/** Seconds in the "Time left" figure ("12 s", "1 min 5 s"), or null for "—". */
function seconds(eta) {
  const m = /^(?:(\d+) min\s*)?(?:(\d+) s)?$/.exec(eta);
  return m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : null;
}

for (const name of BROWSERS) {
  describe(`frames in ${name}`, () => {
    let page;
    let log;
    readyPageForSuite(name, server, async (opened) => {
      ({ page, log } = opened);
      await setSeed(page, SEED);
      await setLongRun(page); // still under way when the tab is "hidden"
    });

    test('while training, the page shows the share of time spent training', async () => {
      await clickButton(page, 'Train');
      await waitForState(page, 'training');
      // The figure covers the last seconds, so it appears once a second or more has been measured.
      await page.waitForFunction(() => /training [\d.]+%/.test(document.getElementById('time-share').textContent),
        { timeout: STEP_TIMEOUT, polling: 200 });
      const share = await text(page, '#time-share');
      const training = Number(/training ([\d.]+)%/.exec(share)[1]);
      assert.ok(training > 0 && training <= 100, share);
      assert.match(share, /^time in the last [\d.]+ s: training/);
      assert.match(share, /test evaluation [\d.]+%/);
      assert.match(share, /work budget [\d.]+ of [\d.]+ ms a frame/);
    });

    test('hidden: it says training waits, and the progress holds still', async () => {
      await page.waitForFunction((s) => document.querySelector(s).value > 0.02, { timeout: STEP_TIMEOUT, polling: 100 }, SEL.progress);
      await page.waitForFunction(() => document.getElementById('eta').textContent.trim() !== '—', { timeout: STEP_TIMEOUT });
      const etaBefore = seconds(await text(page, '#eta'));
      await setHidden(page, true);
      assert.match(await text(page, '#status'), HIDDEN_MESSAGE);
      await sleep(300); // a frame already under way may still finish
      const held = await progress(page);
      await sleep(2500);
      assert.equal(await progress(page), held, 'no training while hidden');
      assert.equal(await state(page), 'training', 'still a run under way: Pause is still offered');
      await setHidden(page, false);
      assert.doesNotMatch(await text(page, '#status'), HIDDEN_MESSAGE, 'the message goes when the tab is back');
      await page.waitForFunction((s, v) => document.querySelector(s).value > v, { timeout: STEP_TIMEOUT, polling: 100 }, SEL.progress, held);
      // The 2.5 s away are not counted as slow training: the time left right after is about what it was.
      await sleep(600);
      const etaAfter = seconds(await text(page, '#eta'));
      if (etaBefore !== null && etaAfter !== null) {
        assert.ok(etaAfter <= etaBefore * 1.5 + 3, `time left ${etaBefore} s before hiding, ${etaAfter} s after`);
      }
    });

    test('paused, the line says its figures are the run\u2019s last seconds, not the last ones', async () => {
      await clickButton(page, 'Pause');
      await waitForState(page, 'paused');
      await page.waitForFunction(() => /^time in the run\u2019s last [\d.]+ s: training [\d.]+%/.test(document.getElementById('time-share').textContent),
        { timeout: STEP_TIMEOUT, polling: 100 });
    });

    test('no console error and no page error', () => {
      assert.deepEqual(log.pageErrors, []);
      assert.deepEqual(log.consoleErrors, []);
    });
  });
}
