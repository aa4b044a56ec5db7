// The teaching benchmark ("Teach it your handwriting"), in headless Chromium and Firefox, on the
// handwriting benchmark's drawings (bench/handwriting/set.mjs), with the pretrained model the page
// starts with:
//   1. every drawing is drawn once at its place and read — which styles does the model misread?
//   2. for each misread style, ONE of its misread drawings is drawn again and corrected with
//      "It's …" (the lessons add up, as one person teaching the page several things would);
//   3. every drawing is read again, and each drawing of a taught style also at EXTRA further seeded
//      sizes and places: how many of the taught styles' other drawings are now read right (aim
//      ≥ 90 %), how many drawings of other styles that were right became wrong (aim 0), the test
//      accuracy before the first lesson and after the last, and the time each lesson took (the
//      work in Rust as the page reports it, and from the click until the new answer is shown).
// Prints a table and writes artifacts/bench-teach.md.
//
//   node bench/teach.mjs [--browsers chromium,firefox] [--extra 2] [--limit N (every k-th drawing, about N)]
// (scripts/bench-teach.sh builds the page first and runs this.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BROWSERS, launchBrowser } from '../tests/e2e/browsers.mjs';
import { startServer } from '../tests/e2e/server.mjs';
import { LOAD_TIMEOUT, SEL, STEP_TIMEOUT, clickButton, frames, openPage, waitForState } from '../tests/e2e/helpers.mjs';
import { drawDigit } from '../tests/e2e/strokes.mjs';
import { SET, placement } from './handwriting/set.mjs';

const { values: options } = parseArgs({
  options: {
    browsers: { type: 'string', default: BROWSERS.join(',') },
    extra: { type: 'string', default: '2' },
    limit: { type: 'string' },
  },
});
const browsers = options.browsers.split(',').filter(Boolean);
const extra = Number(options.extra);
// --limit N: every k-th drawing only (a quick look, with its own report).
const every = options.limit ? Math.max(1, Math.ceil(SET.length / Number(options.limit))) : 1;
const REPORT = fileURLToPath(new URL(`../artifacts/bench-teach${options.limit ? '-quick' : ''}.md`, import.meta.url));
const pct = (x) => `${(100 * x).toFixed(1)} %`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Draws `strokes` at `place` on a cleared pad; returns the Prediction. */
async function drawAndRead(page, strokes, place) {
  await clickButton(page, 'Clear');
  await drawDigit(page, SEL.pad, strokes, place);
  await frames(page, 3); // the pad reports its change in the next frame; the answer follows at once
  return page.$eval(SEL.prediction, (el) => el.textContent.trim());
}

/** Reads drawings [{ drawing, index, k }] (placement k of SET[index]); returns them with `read`. */
async function readAll(page, items, label) {
  const out = [];
  for (const item of items) {
    const { strokes, place } = placement(item.drawing, item.index, item.k, 1 + extra);
    out.push({ ...item, read: await drawAndRead(page, strokes, place) });
    if (out.length % 100 === 0) process.stderr.write(`  ${label}: ${out.length}/${items.length}\n`);
  }
  return out;
}

const waitForText = (page, id, pattern) => page.waitForFunction((i, source) => new RegExp(source).test(document.getElementById(i).textContent),
  { timeout: STEP_TIMEOUT, polling: 20 }, id, pattern.source);

/** Draws a drawing and corrects it: { workMs, frames, wallMs, before, after, reads }. */
async function teach(page, item) {
  const { strokes, place } = placement(item.drawing, item.index, item.k, 1 + extra);
  await drawAndRead(page, strokes, place);
  const label = String(item.drawing.digit);
  // Timed in the page: from the click until the new answer is shown.
  const wallMs = await page.evaluate((name) => new Promise((resolve) => {
    const message = document.getElementById('teach-message');
    const start = performance.now();
    const observer = new MutationObserver(() => {
      if (/It now reads/.test(message.textContent)) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(message, { childList: true, characterData: true, subtree: true });
    document.querySelector(`button[aria-label="${name}"]`).click();
  }), `It's ${label}`);
  const message = await page.$eval('#teach-message', (el) => el.textContent);
  const [, seconds, frameCount, reads] = /in (\d+\.\d+) s of work over (\d+) frames\. It now reads (\d)/.exec(message);
  await waitForText(page, 'teach-accuracy', /after \d+\.\d\d %/);
  const [before, after] = [...(await page.$eval('#teach-accuracy', (el) => el.textContent)).matchAll(/(\d+\.\d\d) %/g)].map((m) => Number(m[1]));
  return { workMs: 1000 * Number(seconds), frames: Number(frameCount), wallMs, before, after, reads };
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

async function run(browser, server, name) {
  const context = await browser.createBrowserContext();
  try {
    const { page } = await openPage(context, server.url);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    await waitForText(page, 'model-in-use', /pretrained model \(.*test set\)/);
    const started = Date.now();
    const base = SET.map((drawing, index) => ({ drawing, index, k: 0 })).filter(({ index }) => index % every === 0);
    const first = await readAll(page, base, `[${name}] before`);
    const wrong = first.filter((r) => r.read !== String(r.drawing.digit));
    const taughtStyles = [...new Set(wrong.map((r) => r.drawing.style))];
    const lessons = [];
    for (const style of taughtStyles) {
      const item = wrong.find((r) => r.drawing.style === style);
      lessons.push({ style, name: item.drawing.name, ...(await teach(page, item)) });
      process.stderr.write(`  [${name}] taught ${style} (${item.drawing.name}): ${JSON.stringify(lessons.at(-1))}\n`);
    }
    const taughtItem = (r) => lessons.some((l) => l.style === r.drawing.style) && r.k === 0 &&
      wrong.find((w) => w.drawing.style === r.drawing.style).index === r.index;
    const further = base.flatMap(({ drawing, index }) => (taughtStyles.includes(drawing.style)
      ? Array.from({ length: extra }, (_, j) => ({ drawing, index, k: j + 1 })) : []));
    const second = await readAll(page, [...base, ...further], `[${name}] after`);
    const right = (r) => r.read === String(r.drawing.digit);
    const ofTaught = second.filter((r) => taughtStyles.includes(r.drawing.style) && !taughtItem(r));
    const others = second.filter((r) => r.k === 0 && !taughtStyles.includes(r.drawing.style));
    const firstOf = new Map(first.map((r) => [r.index, r]));
    const broke = others.filter((r) => right(firstOf.get(r.index)) && !right(r));
    const mended = others.filter((r) => !right(firstOf.get(r.index)) && right(r));
    const perStyle = taughtStyles.map((style) => {
      const mine = ofTaught.filter((r) => r.drawing.style === style);
      const beforeRight = first.filter((r) => r.drawing.style === style && right(r)).length;
      const total = first.filter((r) => r.drawing.style === style).length;
      return { style, before: `${beforeRight}/${total}`, after: `${mine.filter(right).length}/${mine.length}` };
    });
    return {
      name, lessons, perStyle, seconds: (Date.now() - started) / 1000, drawn: base.length,
      taughtRight: ofTaught.filter(right).length, taughtTotal: ofTaught.length,
      broke: broke.map((r) => `${r.drawing.style} / ${r.drawing.name} (${r.drawing.hand}) → ${r.read}`),
      mended: mended.length, others: others.length, wrongBefore: wrong.length,
      before: lessons[0]?.before, after: lessons.at(-1)?.after,
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const loadBefore = load();
  const server = await startServer();
  const results = [];
  try {
    for (const name of browsers) {
      const browser = await launchBrowser(name);
      try {
        results.push(await run(browser, server, name));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.stop();
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); load average ${loadBefore} before, ${load()} after.`;
  const lines = [
    '| browser | misread before | styles taught (one drawing each) | taught styles\' other drawings read right | other styles: right → wrong | other styles: wrong → right | test accuracy before → after | work per lesson, median [range] | click to new answer, median [range] | frames per lesson |',
    '|---|---:|---:|---:|---:|---:|---|---|---|---|',
    ...results.map((r) => {
      const work = r.lessons.map((l) => l.workMs);
      const wall = r.lessons.map((l) => l.wallMs);
      const fr = r.lessons.map((l) => l.frames);
      const range = (xs) => `${median(xs).toFixed(0)} ms [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
      return `| ${r.name} | ${r.wrongBefore}/${r.drawn} | ${r.lessons.length} | **${pct(r.taughtRight / r.taughtTotal)}** (${r.taughtRight}/${r.taughtTotal}) | ` +
        `**${r.broke.length}** of ${r.others} | ${r.mended} | ${r.before?.toFixed(2)} % → ${r.after?.toFixed(2)} % | ${range(work)} | ${range(wall)} | ${median(fr)} [${Math.min(...fr)}–${Math.max(...fr)}] |`;
    }),
  ];
  const styles = results.map((r) => `### ${r.name}\n\n| style taught | drawing taught | its style read right before (all drawings) | after (its other drawings, ${1 + extra} places each) | test accuracy before → after the lesson | work | click to answer |\n|---|---|---:|---:|---|---:|---:|\n` +
    r.lessons.map((l, i) => `| ${l.style} | ${l.name} | ${r.perStyle[i].before} | ${r.perStyle[i].after} | ${l.before.toFixed(2)} → ${l.after.toFixed(2)} % | ${l.workMs.toFixed(0)} ms | ${l.wallMs.toFixed(0)} ms |`).join('\n') +
    `\n\nRight before, wrong after: ${r.broke.length ? r.broke.join('; ') : 'none'}. ${r.seconds.toFixed(0)} s.`);
  const intro = `Teaching benchmark: the ${SET.length} drawings of bench/handwriting/set.mjs, pretrained model; each misread style taught ` +
    `once (one of its misread drawings, "It's …"), lessons adding up; then every drawing read again, and the taught styles' drawings ` +
    `also at ${extra} further seeded sizes and places.`;
  const text = `${intro}\n\n${lines.join('\n')}\n\n${styles.join('\n\n')}\n\n${machine}\n`;
  console.log(`\n${text}`);
  mkdirSync(new URL('../artifacts/', import.meta.url), { recursive: true });
  writeFileSync(REPORT, `# Teaching benchmark\n\n${new Date().toISOString()}\n\n${text}`);
  console.log(`written ${REPORT}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
