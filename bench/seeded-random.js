// A small seeded random-number generator (mulberry32) for the benchmarks: the browser benchmark's
// example order, and the handwriting benchmark's variants and placements. Plain ES module, no imports,
// so the benchmark page and Node load it alike.

/** A source of numbers in [0, 1): the same seed gives the same sequence. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
