// Typesetting for "4 · How it works": formulas as the browser's own MathML (no library), numbers
// written for people (a real minus sign, powers of ten as superscripts), and the small pictures of
// vectors. Display only: every number shown was computed in Rust.
import { diverging } from './pictures.js';

const MATHML = 'http://www.w3.org/1998/Math/MathML';

function node(tag, children, attributes = {}) {
  const element = document.createElementNS(MATHML, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** Builders for MathML elements: M.row(M.mi('Z'), M.mo('='), …). Strings become text. */
export const M = {
  // Display style (full-size fractions, limits under sums) but laid out inline, so that it lines up
  // with the text on the left in every browser (block math is centred in some).
  math: (...children) => node('math', [node('mrow', children)], { displaystyle: 'true' }),
  row: (...children) => node('mrow', children),
  mi: (text, variant) => node('mi', [text], variant ? { mathvariant: variant } : {}),
  mn: (text) => node('mn', [String(text)]),
  mo: (text, attributes = {}) => node('mo', [text], attributes),
  text: (text) => node('mtext', [text]),
  sup: (base, script) => node('msup', [base, script]),
  sub: (base, script) => node('msub', [base, script]),
  subsup: (base, below, above) => node('msubsup', [base, below, above]),
  under: (base, script) => node('munder', [base, script]),
  frac: (top, bottom) => node('mfrac', [top, bottom]),
  space: () => node('mspace', [], { width: '0.2em' }),
};

/** Parentheses that keep their size (MathML would stretch them around superscripts). */
export const open = () => M.mo('(', { stretchy: 'false' });
export const close = () => M.mo(')', { stretchy: 'false' });

/** `name` with layer number `l` as a superscript: Z¹ (the input A⁰ is X). */
export function layered(name, l) {
  if (name === 'A' && l === 0) return M.mi('X');
  return M.sup(M.mi(name), M.mn(l));
}

/** dZ¹, dW², …: the gradient of the loss with respect to a layered quantity. */
export const grad = (name, l) => M.row(M.mi('d', 'normal'), layered(name, l));

/** (x)ᵀ. */
export const transpose = (x) => M.sup(M.row(open(), x, close()), M.mi('T', 'normal'));

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** 12 → '¹²', for plain-text names such as "Z¹²". */
export const superscript = (n) => String(n).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]);

/**
 * A number for people: 4 significant digits, a real minus sign, and very large or small numbers as
 * "1.23 × 10⁻⁵".
 */
export function formatNumber(value, digits = 4) {
  if (value == null) return '—';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const size = Math.abs(value);
  let text;
  if (size >= 1e5 || size < 1e-3) {
    const [mantissa, exponent] = value.toExponential(Math.max(0, digits - 2)).split('e');
    text = `${mantissa} × 10${superscript(Number(exponent))}`;
  } else {
    text = value.toPrecision(digits);
    if (text.includes('e')) text = String(Number(text));
  }
  return text.replace('-', '−');
}

/** A setting such as ε = 0.01, without float noise (0.009999999776…) or padding. */
export const formatConstant = (value) => String(Number(Number(value).toPrecision(6))).replace('-', '−');

/** An HTML element with a class and text (or children). */
export function h(tag, className, ...children) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  for (const child of children) element.append(child);
  return element;
}

/**
 * A one-row picture of a vector: one cell per entry, coloured by value (scaled by the largest size).
 * Returns a canvas named for assistive technology by `label`.
 */
export function strip(values, label) {
  const canvas = document.createElement('canvas');
  canvas.className = 'strip';
  canvas.width = values.length;
  canvas.height = 1;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const largest = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const context = canvas.getContext('2d');
  const image = context.createImageData(values.length, 1);
  values.forEach((v, i) => image.data.set([...diverging(v / largest), 255], i * 4));
  context.putImageData(image, 0, 0);
  return canvas;
}
