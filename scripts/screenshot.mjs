// Takes screenshots of the page in headless Chromium and Firefox for people to look at:
//   node scripts/screenshot.mjs [url] [out-dir]
import { launchBrowser } from '../tests/e2e/browsers.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';
const outDir = process.argv[3] ?? 'artifacts/screenshots';
const { mkdirSync } = await import('node:fs');
mkdirSync(outDir, { recursive: true });
for (const name of ['chromium', 'firefox']) {
  const browser = await launchBrowser(name);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => console.log(`[${name}] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[${name}] pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), { timeout: 120_000 });
    await page.screenshot({ path: `${outDir}/${name}-ready.png`, fullPage: true });
    console.log(`${name}: ${await page.evaluate(() => document.body.dataset.state)}`);
  } finally {
    await browser.close();
  }
}
