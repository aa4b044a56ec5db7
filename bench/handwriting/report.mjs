// Tables for the handwriting benchmark's results: per digit, per style, the worst styles and every
// misread. A result is { digit, style, name, hand, place, read, confidence, correct }; a row is one
// browser and model: { browser, model, results }.

const pct = (x) => `${(x * 100).toFixed(1)} %`;
const share = (correct, total) => (total ? `${Math.round((100 * correct) / total)}` : '—');
const isUnsure = (r) => /^Not sure/.test(r.confidence);

/** Counts per digit and overall. */
export function summarise(results) {
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const mine = results.filter((r) => r.digit === d);
    return { correct: mine.filter((r) => r.correct).length, total: mine.length };
  });
  const correct = results.filter((r) => r.correct).length;
  return { perDigit, correct, total: results.length, accuracy: correct / results.length, unsure: results.filter(isUnsure).length };
}

/** "7 ×5, 9 ×1": what the misread ones were read as, most often first. */
function misreads(results) {
  const counts = new Map();
  for (const r of results.filter((x) => !x.correct)) counts.set(r.read || '—', (counts.get(r.read || '—') ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([read, n]) => `${read} ×${n}`).join(', ');
}

/** Results grouped by `key` (a function of a result), in first-seen order. */
function groupBy(results, key) {
  const groups = new Map();
  for (const r of results) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  return groups;
}

/** Accuracy per digit, overall and "not sure", one line per browser and model. */
export function digitTable(rows) {
  const header = ['browser', 'model', ...Array.from({ length: 10 }, (_, d) => String(d)), 'overall', 'not sure'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { browser, model, results } of rows) {
    const s = summarise(results);
    const digits = s.perDigit.map(({ correct, total }) => share(correct, total));
    lines.push(`| ${browser} | ${model} | ${digits.join(' | ')} | **${pct(s.accuracy)}** (${s.correct}/${s.total}) | ${s.unsure} |`);
  }
  return lines.join('\n');
}

/** Accuracy per style (% read correctly, one column per browser and model) and what misses were read as. */
export function styleTable(rows) {
  const header = ['style', 'shapes', 'drawings', ...rows.map((r) => `${r.browser} ${r.model}`), 'misread as (all columns)'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const all = rows.flatMap((r) => r.results);
  for (const [style, mine] of groupBy(all, (r) => r.style)) {
    const shapes = new Set(mine.map((r) => r.name)).size;
    const cells = rows.map(({ results }) => {
      const own = results.filter((r) => r.style === style);
      return share(own.filter((r) => r.correct).length, own.length);
    });
    lines.push(`| ${style} | ${shapes} | ${mine.length / rows.length} | ${cells.join(' | ')} | ${misreads(mine)} |`);
  }
  return lines.join('\n');
}

/** The `count` styles read worst over all rows, and within them the shapes read worst. */
export function worstStyles(rows, count) {
  const all = rows.flatMap((r) => r.results);
  const rate = (rs) => rs.filter((r) => r.correct).length / rs.length;
  const ranked = [...groupBy(all, (r) => r.style)].filter(([, rs]) => rate(rs) < 1).sort((a, b) => rate(a[1]) - rate(b[1]));
  return ranked.slice(0, count).map(([style, rs]) => {
    const shapes = [...groupBy(rs, (r) => r.name)].filter(([, s]) => rate(s) < 1).sort((a, b) => rate(a[1]) - rate(b[1]))
      .map(([name, s]) => `“${name}” ${s.filter((r) => r.correct).length}/${s.length}`);
    return `- **${style}**: ${pct(rate(rs))} (${rs.filter((r) => r.correct).length}/${rs.length}), read as ${misreads(rs)} — ${shapes.join(', ')}`;
  }).join('\n') || '- none: every style read correctly';
}

/** Every misread of one browser and model. */
export function missList(results) {
  const misses = results.filter((r) => !r.correct);
  const list = misses.map((r) => `- ${r.style}: “${r.name}”, ${r.hand}, ${r.place}: read as ${r.read || '(nothing)'} (${r.confidence})`);
  return `Misread (${misses.length}):\n\n${list.join('\n') || '- none'}\n`;
}

export { pct };
