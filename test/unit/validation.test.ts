import { Problems, ValidationError } from '../../src/errors/errors';
import { canonicalJson, normalizeReports, type UsageReport } from '../../src/modules/ingestion/ingestion.validation';

const meters = new Map([
  ['cpu.hours', { recordType: null }],
  ['gpu.hours', { recordType: null }],
]);
const base: UsageReport = { project: 'p', meter: 'cpu.hours', start: new Date('2026-01-01T00:00:00Z'), volume: 1 };

function problemsOf(reports: UsageReport[]): { path: unknown[]; message: string }[] {
  const problems = new Problems();
  normalizeReports(reports, meters, problems);
  try {
    problems.throwIfAny();
    return [];
  } catch (error) {
    return (error as ValidationError).problems.map((p) => ({ path: [...p.path], message: p.message }));
  }
}

describe('normalizeReports', () => {
  test('fills defaults: source "default", contingent factor 1, one operation, absent values null', () => {
    const [r] = normalizeReports([base], meters, new Problems());
    expect(r).toMatchObject({
      source: 'default',
      contingentFactor: 1,
      operationCount: 1,
      end: null,
      user: null,
      computeProject: null,
      partition: null,
      priority: null,
      resource: null,
      additionalMetrics: [],
      additionalResources: [],
      additionalData: null,
    });
  });

  test.each([
    [{ volume: Number.NaN }, 'volume', 'must be a finite number from 0 to 1e+15'],
    [{ volume: Number.POSITIVE_INFINITY }, 'volume', 'must be a finite number from 0 to 1e+15'],
    [{ volume: -0.5 }, 'volume', 'must be a finite number from 0 to 1e+15'],
    [{ volume: 1.7e308 }, 'volume', 'must be a finite number from 0 to 1e+15'],
    [{ contingentFactor: -0.1 }, 'contingentFactor', 'must be a finite number from 0 to 1000'],
    [{ contingentFactor: 1001 }, 'contingentFactor', 'must be a finite number from 0 to 1000'],
    [{ contingentFactor: Number.POSITIVE_INFINITY }, 'contingentFactor', 'must be a finite number from 0 to 1000'],
    [{ operationCount: 0 }, 'operationCount', 'must be a whole number >= 1'],
    [{ operationCount: 1.5 }, 'operationCount', 'must be a whole number >= 1'],
    [{ meter: 'ghost' }, 'meter', 'meter "ghost" is not defined'],
    [{ end: new Date('2025-12-31T23:59:59Z') }, 'end', 'must not be before start'],
    [{ start: new Date('invalid') }, 'start', 'must be a date-time with a time zone offset'],
    [{ project: '   ' }, 'project', 'must be a non-blank string of at most 256 characters'],
    [{ user: 'x'.repeat(257) }, 'user', 'must be a non-blank string of at most 256 characters'],
    [{ additionalData: [1, 2] as unknown as Record<string, unknown> }, 'additionalData', 'must be a JSON object'],
  ])('%j is refused at reports[0].%s', (override, field, message) => {
    expect(problemsOf([{ ...base, ...override } as UsageReport])).toEqual([{ path: ['reports', 0, field], message }]);
  });

  test('a zero contingent factor and an end equal to start are valid', () => {
    expect(problemsOf([{ ...base, contingentFactor: 0, end: base.start }])).toEqual([]);
  });

  test('every problem of every report is listed, in order', () => {
    expect(
      problemsOf([
        base,
        { ...base, meter: 'x', volume: Number.NaN },
        base,
        {
          ...base,
          additionalResources: [
            { meter: 'gpu.hours', volume: 1 },
            { meter: 'gpu.hours', volume: 2 },
          ],
        },
      ]),
    ).toEqual([
      { path: ['reports', 1, 'meter'], message: 'meter "x" is not defined' },
      { path: ['reports', 1, 'volume'], message: 'must be a finite number from 0 to 1e+15' },
      { path: ['reports', 3, 'additionalResources', 1, 'meter'], message: 'meter "gpu.hours" appears twice in this report' },
    ]);
  });

  test('the match key ignores content; the hash covers all of it, whatever the order of keys and items', () => {
    const a = {
      ...base,
      end: new Date('2026-01-01T01:00:00Z'),
      additionalData: { b: 1, a: { y: 2, x: 1 } },
      additionalMetrics: [
        { metric: 'm1', volume: 1 },
        { metric: 'm2', volume: 2 },
      ],
    };
    const b = {
      ...a,
      additionalData: { a: { x: 1, y: 2 }, b: 1 },
      additionalMetrics: [
        { metric: 'm2', volume: 2 },
        { metric: 'm1', volume: 1 },
      ],
    };
    const c = { ...a, volume: 2 };
    const [na, nb, nc] = normalizeReports([a, b, c], meters, new Problems());
    expect(nb.key).toBe(na.key);
    expect(nb.hash).toBe(na.hash);
    expect(nc.key).toBe(na.key);
    expect(nc.hash).not.toBe(na.hash);
    const other = normalizeReports([{ ...a, partition: 'gpu' }], meters, new Problems())[0];
    expect(other.key).not.toBe(na.key);
  });
});

test('canonicalJson sorts keys at every depth and drops undefined', () => {
  expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: undefined, c: new Date('2026-01-01T00:00:00Z') })).toBe(
    '{"b":[{"c":2,"d":1}],"c":"2026-01-01T00:00:00.000Z"}',
  );
});

test('ValidationError describes its problems with their paths', () => {
  const error = new ValidationError([{ path: ['reports', 2, 'additionalMetrics', 0, 'volume'], message: 'must be a finite number' }]);
  expect(error.message).toBe('Invalid input (1 problem): reports[2].additionalMetrics[0].volume: must be a finite number');
});
