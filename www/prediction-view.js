// Shows what the network thinks of the drawing: the digit, ten probability bars, the 28×28 input.
import { formatPercent } from './format.js';
import { paintDigit } from './pictures.js';

export function createPredictionView({ output, confidence, bars, preview }) {
  const items = [];
  for (let digit = 0; digit < 10; digit++) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="digit">${digit}</span><span class="bar"><span class="fill"></span></span><span class="value"></span>`;
    bars.append(li);
    items.push({ li, fill: li.querySelector('.fill'), value: li.querySelector('.value') });
  }

  function show(result) {
    if (!result || result.empty) {
      output.textContent = '';
      output.classList.remove('unsure');
      confidence.classList.remove('unsure');
      confidence.textContent = result?.empty ? 'Draw a digit on the pad.' : '';
      for (const item of items) {
        item.fill.style.width = '0%';
        item.value.textContent = '';
        item.li.classList.remove('top');
      }
      paintDigit(preview, null);
      return;
    }
    output.textContent = String(result.digit);
    const top = result.probabilities[result.digit];
    // Rust decides whether the answer is sure enough (`confident`); the digit is shown either way, so
    // the Prediction element always holds the top digit.
    const unsure = result.confident === false;
    output.classList.toggle('unsure', unsure);
    confidence.classList.toggle('unsure', unsure);
    if (unsure) {
      const runnerUp = result.probabilities
        .map((p, digit) => [p, digit]).filter(([, digit]) => digit !== result.digit)
        .reduce((best, next) => (next[0] > best[0] ? next : best));
      confidence.textContent = `Not sure: ${formatPercent(top, 0, { spaced: true })} ${result.digit}, ` +
        `${formatPercent(runnerUp[0], 0, { spaced: true })} ${runnerUp[1]}`;
    } else {
      confidence.textContent = `${formatPercent(top, 0, { spaced: true })} sure`;
    }
    result.probabilities.forEach((p, digit) => {
      const item = items[digit];
      item.fill.style.width = `${(p * 100).toFixed(1)}%`;
      item.value.textContent = formatPercent(p, 0);
      item.li.classList.toggle('top', digit === result.digit);
      item.li.setAttribute('aria-label', `${digit}: ${formatPercent(p, 0)}`);
    });
    paintDigit(preview, result.preview);
  }

  show({ empty: true });
  return { show };
}
