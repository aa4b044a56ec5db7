// The confusion matrix of the last test evaluation as a table of buttons (row: the true digit,
// column: the network's answer), and each digit's accuracy as bars. Rust counts and divides; here
// the numbers only become text, colours and bar lengths.
import { formatAccuracy, formatCount, formatPercent, plural } from './format.js';
import { PALETTE } from './pictures.js';

const DIGITS = 10;
const RIGHT = PALETTE.accent;
const WRONG = PALETTE.warm;

// Mistakes are rare (a few in a thousand), so their shade grows with the square root of their share
// and is full at 5 %: one-off confusions stay visible, systematic ones stand out.
function shade(actual, predicted, fraction) {
  if (fraction <= 0) return { background: '', dark: false };
  const right = actual === predicted;
  const alpha = right ? fraction : Math.min(1, Math.sqrt(fraction / 0.05));
  const [r, g, b] = right ? RIGHT : WRONG;
  return { background: `rgb(${r} ${g} ${b} / ${(0.08 + 0.82 * alpha).toFixed(3)})`, dark: alpha > 0.55 };
}

// A header cell of the table: a digit heading its column or its row.
function headerCell(scope, digit) {
  const th = document.createElement('th');
  th.scope = scope;
  th.textContent = String(digit);
  return th;
}

/**
 * createConfusionView({ table, summary, perDigit }, { onSelect }) → { show(matrix), select(a, p), clear() }
 * matrix: Rust's confusionMatrix() result, or null. onSelect(actual, predicted, count) on a click.
 */
export function createConfusionView({ table, summary, perDigit }, { onSelect }) {
  const cells = [];
  let selected = null;
  let matrix = null;

  const head = table.createTHead();
  const corner = document.createElement('th');
  corner.className = 'corner';
  corner.innerHTML = '<span class="axis-down">true</span> <span class="axis-right">read as</span>';
  const headRow = head.insertRow();
  headRow.append(corner);
  for (let p = 0; p < DIGITS; p++) headRow.append(headerCell('col', p));
  const body = table.createTBody();
  for (let a = 0; a < DIGITS; a++) {
    const row = body.insertRow();
    row.append(headerCell('row', a));
    for (let p = 0; p < DIGITS; p++) {
      const td = row.insertCell();
      if (a === p) td.className = 'diagonal';
      const button = document.createElement('button');
      button.type = 'button';
      button.addEventListener('click', () => {
        if (!matrix) return;
        select(a, p);
        onSelect?.(a, p, matrix.counts[a * DIGITS + p]);
      });
      td.append(button);
      cells.push(button);
    }
  }

  const bars = [];
  for (let d = 0; d < DIGITS; d++) {
    const li = document.createElement('li');
    li.innerHTML = '<span class="digit"></span><span class="bar"><span class="fill"></span></span><span class="value"></span>';
    li.querySelector('.digit').textContent = String(d);
    perDigit.append(li);
    bars.push({ li, fill: li.querySelector('.fill'), value: li.querySelector('.value') });
  }

  function select(a, p) {
    if (selected) cells[selected.a * DIGITS + selected.p].removeAttribute('aria-pressed');
    selected = a === null ? null : { a, p };
    if (selected) cells[a * DIGITS + p].setAttribute('aria-pressed', 'true');
  }

  function show(m) {
    matrix = m;
    if (!m) {
      clear();
      return;
    }
    for (let a = 0; a < DIGITS; a++) {
      for (let p = 0; p < DIGITS; p++) {
        const k = a * DIGITS + p;
        const count = m.counts[k];
        const button = cells[k];
        const { background, dark } = shade(a, p, m.fractions[k]);
        button.textContent = count ? String(count) : '';
        button.setAttribute('aria-label', `${a} read as ${p}: ${plural(count, 'image')}`);
        button.title = `${a} read as ${p}: ${plural(count, 'image')} (${formatPercent(m.fractions[k], 1)} of the ${a}s)`;
        button.style.background = background;
        button.classList.toggle('dark', dark);
        button.disabled = false;
      }
    }
    m.perDigitAccuracy.forEach((accuracy, d) => {
      const bar = bars[d];
      bar.fill.style.width = accuracy === null ? '0%' : `${(accuracy * 100).toFixed(2)}%`;
      bar.value.textContent = accuracy === null ? '—' : formatPercent(accuracy, 1);
      bar.li.setAttribute('aria-label', accuracy === null ? `${d}: no test images` : `${d}: ${formatPercent(accuracy, 1)} correct`);
    });
    const wrong = m.examples - m.correct;
    summary.textContent = `All ${formatCount(m.examples)} test images, with the weights after ` +
      `${formatCount(m.atExamples)} training examples: ${formatAccuracy(m.accuracy)} right, ` +
      `${formatCount(wrong)} wrong. Rows are the true digits, columns the network's answers; click a cell to see its images.`;
    table.dataset.atExamples = String(m.atExamples);
  }

  function clear() {
    matrix = null;
    select(null);
    for (const [k, button] of cells.entries()) {
      button.textContent = '';
      button.setAttribute('aria-label', `${Math.floor(k / DIGITS)} read as ${k % DIGITS}: not evaluated yet`);
      button.removeAttribute('title');
      button.style.background = '';
      button.classList.remove('dark');
      button.disabled = true;
    }
    for (const [d, bar] of bars.entries()) {
      bar.fill.style.width = '0%';
      bar.value.textContent = '—';
      bar.li.setAttribute('aria-label', `${d}: not evaluated yet`);
    }
    summary.textContent = 'Evaluating the test set…';
    delete table.dataset.atExamples;
  }

  clear();
  return { show, select, clear, get selected() { return selected; } };
}
