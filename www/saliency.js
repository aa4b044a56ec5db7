// "Why this answer": the panel's example as the network sees it (28×28), with an optional overlay of
// which pixels pushed a digit's score up (red) or down (blue). The score is the log-probability
// log P(k) = log Aᴸ_k; its gradient with respect to every pixel comes from Rust (Session.saliency:
// training's backward pass, carried one layer further to the input). Here it is only coloured.
import { formatPercent } from './format.js';
import { formatNumber } from './learn-format.js';
import { SIDE, diverging, paintDigit } from './pictures.js';

const GAMMA = 0.85; // slightly below 1 lifts the weaker gradients a little without flooding the picture
// Full ink is a mid grey, not black, so the colours stay readable on top of the digit.
const INK = 165;

export function setupSaliency(page, example) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    canvas: $('saliency'), caption: $('saliency-caption'), toggle: $('saliency-toggle'), digit: $('saliency-digit'),
    legend: $('saliency-legend'),
  };
  const view = { on: false };

  ui.digit.replaceChildren(new Option('its answer', ''),
    ...Array.from({ length: 10 }, (_, digit) => new Option(`digit ${digit}`, String(digit))));

  // The digit in grey, and over it the gradient's colour: red or blue, stronger where the gradient is.
  function draw(pixels, saliency) {
    const scale = saliency?.largest > 0 ? 1 / saliency.largest : 0;
    const colour = saliency && ((i, shade) => {
      const v = saliency.gradient[i] * scale;
      const t = Math.abs(v) ** GAMMA;
      return diverging(Math.sign(v)).map((c) => Math.round(shade * (1 - t) + c * t));
    });
    paintDigit(ui.canvas, pixels, { ink: INK, colour });
  }

  function refresh() {
    const current = example.current;
    ui.toggle.disabled = !current;
    ui.toggle.setAttribute('aria-pressed', String(view.on));
    ui.legend.hidden = !view.on || !current;
    if (!current) {
      draw(null, null);
      ui.canvas.dataset.overlay = '';
      ui.canvas.setAttribute('aria-label', 'The example as the network sees it (none yet)');
      ui.caption.textContent = `What the network sees (${SIDE} × ${SIDE}). Draw a digit or choose a test image.`;
      return;
    }
    if (!view.on) {
      draw(current.pixels, null);
      ui.canvas.dataset.overlay = '';
      ui.canvas.setAttribute('aria-label', `The example as the network sees it: ${example.describe(current)}`);
      ui.caption.textContent = `What the network sees: ${example.describe(current)}, ${SIDE} × ${SIDE} pixels.`;
      return;
    }
    const digit = ui.digit.value === '' ? undefined : Number(ui.digit.value);
    let saliency;
    try {
      saliency = page.session.saliency(Float32Array.from(current.pixels), digit);
    } catch (error) {
      ui.caption.textContent = `The saliency could not be computed: ${error.message}`;
      return;
    }
    draw(current.pixels, saliency);
    const k = saliency.class;
    ui.canvas.dataset.overlay = String(k);
    ui.canvas.setAttribute('aria-label', `Saliency of digit ${k} over ${example.describe(current)}: red pixels raise its probability, blue ones lower it`);
    const answer = saliency.predicted === k ? `the network’s answer, ${k}` : `digit ${k} (the network answers ${saliency.predicted})`;
    ui.caption.textContent = `Why ${answer}: log P(${k}) = ${formatNumber(saliency.logProbability)}, ` +
      `P(${k}) = ${formatPercent(saliency.probability, 1, { spaced: true })}. Strongest pixel: ${formatNumber(saliency.largest)} per unit of ink.`;
  }

  ui.toggle.addEventListener('click', () => {
    view.on = !view.on;
    refresh();
  });
  ui.digit.addEventListener('change', () => {
    if (!view.on) view.on = true;
    refresh();
  });
  example.on('change', refresh);
  refresh();
}
