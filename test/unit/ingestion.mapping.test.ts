import fc from 'fast-check';
import { REPORT_FIELDS, ReportDecoder, wellFormedReport } from '../../src/modules/ingestion/ingestion.mapping';
import { createSchema } from '../../src/schema';

// The direct path must give exactly what GraphQL's coercion gives, or give the value up to it: a
// report it accepts that coercion refuses, or reads otherwise, would make a bulk request or a file
// mean something else than the same JSON sent to reportUsage.

let decoder: ReportDecoder;
beforeAll(async () => {
  decoder = ReportDecoder.of(await createSchema());
});

/** A value of every kind that JSON, or a careless caller, could put in a field. */
const hostile = fc.oneof(
  fc.constantFrom(null, true, 0, -0, 1.5, 2 ** 31, -(2 ** 31) - 1, 1e308, Number.MAX_SAFE_INTEGER, '', ' ', 'a\0b', '\u0000'),
  fc.constantFrom(Infinity, -Infinity, NaN, [], {}, [1], { a: 1 }, '2026-01-01', 'Infinity', '1'),
  fc.string(),
  fc.double(),
  fc.integer(),
);
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 40, arbitrary: good }, { weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostile });
const name = fc.oneof(fc.constantFrom('p1', 'cpu.hours', 'vm-1', 'ünïcödé', 'x'.repeat(300)), fc.string({ maxLength: 8 }));
const date = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom('2026-10-01T00:00:00Z', '2026-10-01T02:00:00.123+02:00', '2024-02-29T23:59:59-05:30') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0000-12-31T23:00:00Z',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '10000-01-01T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-10-01T24:00:00Z',
      '2026-10-01T00:00:00',
      '2026-10-01T00:00:00z',
      '2026-13-01T00:00:00Z',
    ),
  },
);
const volume = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const item = (key: 'metric' | 'meter') =>
  fc.oneof(
    { weight: 30, arbitrary: fc.record({ [key]: field(name), volume: field(volume), contingentFactor: field(volume) }) },
    { weight: 1, arbitrary: fc.record({ [key]: name, volume, extra: hostile }) },
    { weight: 1, arbitrary: hostile },
  );
const list = (key: 'metric' | 'meter') =>
  fc.oneof({ weight: 15, arbitrary: fc.array(item(key), { maxLength: 3 }) }, { weight: 1, arbitrary: item(key) });
/** JSON of any shape, nested deeper than the limit at times, with NULs in keys and values at times. */
const data = fc.oneof(
  { weight: 20, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 34 }).map((depth) => nest(depth)) },
  { weight: 1, arbitrary: fc.constantFrom({ 'k\0': 1 }, { k: 'v\0' }, { __proto__: null, a: 1 }, JSON.parse('{"__proto__":{"x":1}}')) },
  { weight: 1, arbitrary: hostile },
);

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { n: value };
  return value;
}

const report = fc
  .record({
    project: field(name),
    meter: field(name),
    start: field(date),
    end: field(date),
    volume: field(volume),
    contingentFactor: field(volume),
    operationCount: field(fc.integer({ min: -5, max: 5 })),
    user: field(name),
    partition: field(name),
    priority: field(name),
    source: field(name),
    resource: field(name),
    computeProject: field(name),
    additionalMetrics: field(list('metric')),
    additionalResources: field(list('meter')),
    // Absent fields too: undefined is dropped by the JSON round trip below.
    additionalData: field(data),
  })
  .chain((r) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant<unknown>(r) },
      // An unknown field, one that Object's prototype has, and a report that is no object at all.
      { weight: 1, arbitrary: fc.constantFrom<unknown>({ ...r, projct: 'p' }, { ...r, constructor: 1 }, JSON.parse('{"__proto__":1}')) },
      { weight: 1, arbitrary: hostile },
    ),
  );

test('the direct path gives what GraphQL coercion gives, or leaves the value to it', () => {
  let direct = 0;
  let refused = 0;
  fc.assert(
    fc.property(report, (value) => {
      // Both read the value as JSON.parse would give it (bulk lines and import lines are JSON).
      const json = value === undefined ? undefined : JSON.parse(JSON.stringify(value) ?? 'null');
      const fast = wellFormedReport(json);
      const coerced = decoder.coerce(json);
      if (coerced.problems) refused++;
      if (fast === undefined) return;
      direct++;
      expect(coerced.problems).toBeUndefined();
      expect(fast).toStrictEqual(coerced.report);
      expect(decoder.decode(json)).toStrictEqual({ report: fast });
    }),
    { numRuns: 3000, seed: 20261204 },
  );
  // Both sides of the property are exercised, not only one.
  expect(direct).toBeGreaterThan(700);
  expect(refused).toBeGreaterThan(1500);
});

test('values JSON cannot carry are left to coercion', () => {
  const base = { project: 'p', meter: 'm', start: '2026-10-01T00:00:00Z', volume: 1 };
  for (const value of [
    { ...base, volume: Infinity },
    { ...base, volume: NaN },
    { ...base, contingentFactor: -Infinity },
    { ...base, start: new Date('2026-10-01T00:00:00Z') },
    { ...base, additionalData: new Map() },
    Object.assign(Object.create({ inherited: 1 }), base),
    [base],
  ]) {
    expect(wellFormedReport(value)).toBeUndefined();
    expect(decoder.decode(value)).toStrictEqual(decoder.coerce(value));
  }
});

test('a well-formed report takes the direct path, with the defaults filled in', () => {
  expect(
    wellFormedReport({
      project: 'p',
      meter: 'm',
      start: '2026-10-01T02:00:00+02:00',
      end: null,
      volume: 3,
      contingentFactor: null,
      additionalMetrics: [{ metric: 'x', volume: 1 }],
    }),
  ).toStrictEqual({
    additionalMetrics: [{ contingentFactor: 1, metric: 'x', volume: 1 }],
    contingentFactor: null,
    end: null,
    meter: 'm',
    operationCount: 1,
    project: 'p',
    source: 'default',
    start: new Date('2026-10-01T00:00:00Z'),
    volume: 3,
  });
});

test.each([
  ['operationCount', 2 ** 31 - 1],
  ['operationCount', 2 ** 31],
  ['operationCount', -(2 ** 31)],
  ['operationCount', -(2 ** 31) - 1],
  ['operationCount', 1.5],
  ['volume', 1e308],
  ['volume', -0],
  ['volume', '1'],
  ['start', '0001-01-01T00:00:00Z'],
  ['start', '0000-12-31T23:59:59Z'],
  ['start', '9999-12-31T23:59:59.999Z'],
  ['start', '2026-10-01T23:59:60Z'],
  ['end', '2024-02-29T00:00:00+14:00'],
  ['end', '2023-02-29T00:00:00Z'],
  ['source', null],
  ['source', ''],
  ['additionalMetrics', { metric: 'x', volume: 1 }],
  ['additionalMetrics', []],
  ['additionalData', nest(31)],
  ['additionalData', nest(32)],
  ['additionalData', []],
])('at a boundary, %s = %p reads as coercion reads it', (name, value) => {
  const json = JSON.parse(JSON.stringify({ project: 'p', meter: 'm', start: '2026-10-01T00:00:00Z', volume: 1, [name]: value }));
  const fast = wellFormedReport(json);
  const coerced = decoder.coerce(json);
  if (fast !== undefined) expect(coerced).toStrictEqual({ report: fast });
  // What coercion accepts from a report JSON can carry as is, the direct path accepts too, but for a lone list item.
  else if (!(name === 'additionalMetrics' && !Array.isArray(value))) expect(coerced.problems?.length).toBeGreaterThan(0);
});

test('null is no report (GraphQL would read it as a null input object)', () => {
  expect(decoder.decode(null)).toEqual({ problems: [{ path: [], message: 'must be a usage report (a JSON object), not null' }] });
});

test("the direct path knows every field of the schema's UsageReportInput, and no other", () => {
  expect(new Set(Object.keys(decoder.type.getFields()))).toEqual(REPORT_FIELDS);
});
