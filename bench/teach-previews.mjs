// The handwriting set as the network sees it, for comparing lesson recipes natively
// (`cargo run --release --example lesson_recipe -- --model www/models/pretrained.inkling --drawings
// artifacts/teach-previews.json`): draws every drawing of bench/handwriting/set.mjs once at its place
// in headless Chromium, and the drawings of every style the pretrained model misreads at two further
// places, and writes each one's 28×28 prepared pixels (read back from the page's "What the network
// sees" picture, to the byte) with its digit, style, shape, place and reading to
// artifacts/teach-previews.json.
//
//   node bench/teach-previews.mjs        (after scripts/build.sh; ≈ 5 min on 2 loaded cores)
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../tests/e2e/browsers.mjs';
import { startServer } from '../tests/e2e/server.mjs';
import { LOAD_TIMEOUT, SEL, clickButton, frames, openPage, waitForState } from '../tests/e2e/helpers.mjs';
import { drawDigit } from '../tests/e2e/strokes.mjs';
import { SET, placement } from './handwriting/set.mjs';

const PLACES = 3;
const OUT = fileURLToPath(new URL('../artifacts/teach-previews.json', import.meta.url));

/** Draws placement k of drawing `index`; returns what the page read and the pixels it prepared. */
async function prepare(page, index, k) {
  const { strokes, place } = placement(SET[index], index, k, PLACES);
  await clickButton(page, 'Clear');
  await drawDigit(page, SEL.pad, strokes, place);
  await frames(page, 3);
  const [read, pixels] = await page.evaluate((selector) => {
    // paintDigit paints ink v as the grey 255 − round(255·v): the byte comes back exactly.
    const data = document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data;
    return [document.querySelector(selector).textContent.trim(), Array.from({ length: 784 }, (_, i) => 255 - data[4 * i])];
  }, SEL.prediction);
  const { digit, style, name } = SET[index];
  return { index, k, digit, style, name, read: Number(read), pixels };
}

const server = await startServer();
const browser = await launchBrowser('chromium');
try {
  const { page } = await openPage(browser.defaultBrowserContext(), server.url);
  await waitForState(page, 'ready', LOAD_TIMEOUT);
  const out = [];
  for (const index of SET.keys()) out.push(await prepare(page, index, 0));
  const misread = new Set(out.filter((d) => d.read !== d.digit).map((d) => d.style));
  for (const index of SET.keys()) {
    if (!misread.has(SET[index].style)) continue;
    for (let k = 1; k < PLACES; k++) out.push(await prepare(page, index, k));
  }
  mkdirSync(new URL('../artifacts/', import.meta.url), { recursive: true });
  writeFileSync(OUT, JSON.stringify(out));
  console.log(`${out.length} drawings (misread styles: ${[...misread].join(', ')}) written to ${OUT}`);
} finally {
  await browser.close();
  await server.stop();
}
