// Makes docs/screenshot.png for the README: the page after training from fresh weights (seed 7),
// with a 3 drawn on the pad.  node scripts/readme-screenshot.mjs [url]
import { launchBrowser } from '../tests/e2e/browsers.mjs';
import { DIGITS, drawDigit } from '../tests/e2e/strokes.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const browser = await launchBrowser('chromium', { width: 1280, height: 860 });
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: 120_000 });
  await page.click('input[name="seed"]', { count: 3 });
  await page.type('input[name="seed"]', '7');
  await page.click('#train');
  await page.waitForFunction(() => document.body.dataset.state === 'paused'
    && document.getElementById('run-progress').value === 1, { timeout: 300_000 });
  const strokes = Object.values(DIGITS[3])[0];
  await drawDigit(page, '[aria-label="Drawing pad"]', strokes.strokes ?? strokes, { size: 0.7 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await page.screenshot({ path: 'docs/screenshot.png' });
  console.log('docs/screenshot.png:', await page.$eval('[aria-label="Prediction"]', (el) => el.textContent),
    await page.$eval('[aria-label="Test accuracy"]', (el) => el.textContent));
} finally {
  await browser.close();
}
