// What a person who pokes at the page sees: settings that make no sense get a clear message and the
// page keeps working; a diverging run pauses, says why and keeps its last good weights; damaged or
// mismatched data files end in a clear error, not a blank page; a long run keeps its memory flat,
// its frames smooth and its charts bounded.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BROWSERS, launchBrowser } from './browsers.mjs';
import { startServer } from './server.mjs';
import {
  LOAD_TIMEOUT, SEL, clickButton, openPage, screenshot, setSeed, state, testAccuracy, waitForState,
} from './helpers.mjs';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
const SOAK_EPOCHS = 20;
const SOAK_TIMEOUT = 900_000;

/** A copy of www/ (links, except data/) whose data files `damage` may change; returns its path. */
function damagedSite(damage) {
  const root = mkdtempSync(join(tmpdir(), 'inkling-site-'));
  for (const entry of readdirSync(WWW)) {
    if (entry !== 'data') symlinkSync(join(WWW, entry), join(root, entry));
  }
  mkdirSync(join(root, 'data'));
  cpSync(join(WWW, 'data'), join(root, 'data'), { recursive: true });
  damage(join(root, 'data'));
  return root;
}

/** Rewrites the manifest so a replaced file passes the page's size and checksum test. */
function reManifest(dataDir, name) {
  const manifestPath = join(dataDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const gz = readFileSync(join(dataDir, `${name}.gz`));
  const bytes = gunzipSync(gz);
  manifest.files[name] = {
    bytes: bytes.length,
    gzipBytes: gz.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

const BAD_SITES = {
  // Bytes lost in transit: the checksum catches it before Rust sees it.
  truncated: (dir) => {
    const gz = readFileSync(join(dir, 'train-labels-idx1-ubyte.gz'));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gz.subarray(0, gz.length >> 1));
  },
  // A consistent file of the wrong kind: Rust's IDX parser says what it is.
  'wrong kind': (dir) => {
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')));
    reManifest(dir, 'train-labels-idx1-ubyte');
  },
  // Images and labels of different counts.
  'count mismatch': (dir) => {
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')));
    reManifest(dir, 'train-labels-idx1-ubyte');
  },
};
const EXPECTED_MESSAGES = { truncated: /damaged/, 'wrong kind': /magic/, 'count mismatch': /60000 images but 10000 labels/ };

async function setField(page, name, value) {
  const field = await page.waitForSelector(`[name="${name}"]`);
  if (await field.evaluate((el) => el.tagName === 'SELECT')) {
    await page.select(`[name="${name}"]`, value);
  } else {
    await field.click({ count: 3 });
    await page.keyboard.press('Backspace');
    if (value !== '') await field.type(value);
  }
  await field.dispose();
}

const message = (page) => page.$eval('#settings-message', (el) => el.textContent);
const megabytes = (text) => Number(/([\d.]+)\s*MB/.exec(text)?.[1]);

for (const name of BROWSERS) {
  describe(`robustness in ${name}`, () => {
    let browser;
    let server;
    const sites = [];
    before(async () => {
      browser = await launchBrowser(name);
      server = await startServer();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      for (const site of sites) rmSync(site, { recursive: true, force: true });
    });

    test('settings that make no sense get a clear message and the page keeps working', async () => {
      const context = await browser.createBrowserContext();
      const { page, log } = await openPage(context, server.url);
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      const cases = [
        ['layers', '0', /at least 1/],
        ['layers', 'ten', /p2 or a number of units/],
        ['layers', '100000', /too large/],
        ['layers', 'c8k5s-p2-p2-p2', /even height and width/],
        ['layers', '128-c8k5', /before the dense layers/],
        ['learningRate', '-1', /learning rate/],
        ['learningRate', 'fast', /number/],
        ['batchSize', '0', /at least 1/],
        ['batchSize', '70000', /larger than the 60000/],
        ['epochs', '0', /epochs/i],
      ];
      for (const [field, value, expected] of cases) {
        await setField(page, field, value);
        await page.waitForFunction(() => document.getElementById('settings-message').textContent !== '');
        assert.match(await message(page), expected, `${field} = ${value}`);
        assert.equal(await state(page), 'ready', `${field} = ${value} leaves the page ready`);
        // Put the default back; the message goes away.
        await setField(page, field, { layers: '128', learningRate: '0.005', batchSize: '32', epochs: '2.5' }[field]);
        await page.waitForFunction(() => document.getElementById('settings-message').textContent === '');
      }
      await screenshot(page, name, 'settings-fixed');
      // Still works: one step trains.
      await clickButton(page, 'Step');
      await page.waitForFunction(() => document.getElementById('train-loss').textContent !== '—');
      assert.deepEqual(log.pageErrors, []);
      await context.close();
    });

    test('a diverging run pauses, says why and keeps the last good weights', async () => {
      const context = await browser.createBrowserContext();
      const { page, log } = await openPage(context, server.url);
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      await setSeed(page, 3);
      await setField(page, 'optimizer', 'sgd');
      await setField(page, 'learningRate', '10000000000');
      await page.waitForFunction(() => document.getElementById('status').textContent.includes('seed 3'));
      await clickButton(page, 'Train');
      await page.waitForFunction(() => /diverged/.test(document.getElementById('settings-message').textContent),
        { timeout: 60_000 });
      assert.match(await message(page), /restored/);
      await waitForState(page, ['paused', 'ready']);
      assert.equal(await page.$eval(SEL.button('Train'), (el) => el.textContent.trim()), 'Train');
      // The restored network is evaluated and shows a real accuracy, not NaN.
      await page.waitForFunction((sel) => /%$/.test(document.querySelector(sel).textContent), {}, SEL.accuracy);
      assert.ok(Number.isFinite(await testAccuracy(page)));
      await screenshot(page, name, 'diverged');
      assert.deepEqual(log.pageErrors, []);
      await context.close();
    });

    for (const [kind, damage] of Object.entries(BAD_SITES)) {
      test(`a ${kind} data file ends in a clear error`, async () => {
        const root = damagedSite(damage);
        sites.push(root);
        const bad = await startServer({ root });
        try {
          const context = await browser.createBrowserContext();
          const { page } = await openPage(context, bad.url);
          await waitForState(page, 'error', LOAD_TIMEOUT).catch(() => {});
          assert.equal(await state(page), 'error');
          const alert = await page.$eval(SEL.alert, (el) => (el.hidden ? '' : el.textContent));
          assert.match(alert, EXPECTED_MESSAGES[kind]);
          await screenshot(page, name, `error-${kind.replace(' ', '-')}`);
          await context.close();
        } finally {
          await bad.stop();
        }
      });
    }

    test(`a ${SOAK_EPOCHS}-epoch run keeps memory flat, frames smooth and charts bounded`, async () => {
      const context = await browser.createBrowserContext();
      const { page, log } = await openPage(context, server.url);
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      await setSeed(page, 5);
      await setField(page, 'epochs', String(SOAK_EPOCHS));
      await page.waitForFunction((n) => document.getElementById('run-progress-text').textContent.endsWith(`of ${n}`),
        {}, SOAK_EPOCHS);
      // Frame intervals and the memory shown, by epoch.
      await page.evaluate(() => {
        const progress = document.getElementById('run-progress');
        window.soak = { frames: [], memory: [] };
        let last = performance.now();
        const tick = (now) => {
          if (document.body.dataset.state === 'training') {
            window.soak.frames.push([progress.value, now - last]);
            window.soak.memory.push([progress.value, document.getElementById('memory').textContent]);
          }
          last = now;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      await clickButton(page, 'Train');
      await page.waitForFunction(() => document.body.dataset.state !== 'training'
        && document.getElementById('run-progress').value === 1, { timeout: SOAK_TIMEOUT, polling: 500 });
      const { frames, memory } = await page.evaluate(() => window.soak);
      const epochOf = (p) => p * 20;
      const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
      const early = frames.filter(([p]) => epochOf(p) >= 1 && epochOf(p) < 3).map(([, dt]) => dt);
      const late = frames.filter(([p]) => epochOf(p) >= 17).map(([, dt]) => dt);
      const memoryAfter = (epoch) => megabytes(memory.find(([p]) => epochOf(p) >= epoch)?.[1]);
      const memoryEnd = megabytes(memory.at(-1)[1]);
      console.log(`${name}: ${frames.length} frames; median interval epochs 1–3 ${median(early).toFixed(1)} ms, `
        + `17–20 ${median(late).toFixed(1)} ms; memory after epoch 2 ${memoryAfter(2)} MB, at the end ${memoryEnd} MB`);
      assert.ok(early.length > 20 && late.length > 20, 'frames were recorded early and late');
      // Not a speed test: only a real degradation (work growing with the run's length) fails this.
      assert.ok(median(late) <= 2 * median(early) + 10, 'frame intervals do not degrade');
      assert.ok(memoryEnd <= memoryAfter(2), `wasm memory stays flat from epoch 2 on (${memoryAfter(2)} → ${memoryEnd} MB)`);
      const points = Number(await page.$eval('#chart-points', (el) => el.textContent));
      assert.ok(points > 100 && points <= 1300, `chart points stay bounded (${points})`);
      await screenshot(page, name, 'soak');
      assert.deepEqual(log.pageErrors, []);
      await context.close();
    });
  });
}
