/**
 * mulberry32: a small seeded generator of numbers in [0, 1). The same seed gives the same numbers
 * on every machine, so generated data (the demo, the benchmark) and the figures quoted from it hold.
 */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
