import { parseInstant } from '../../src/common/scalars';

describe('parseInstant', () => {
  test.each([
    ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T01:00:00+01:00', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T00:00:00.123456-05:30', '2026-03-01T05:30:00.123Z'],
    ['2026-03-01t00:00z', '2026-03-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  test.each(['2026-03-01T00:00:00', '2026-03-01', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-01T24:00:00Z', 'yesterday', ''])(
    '%j is refused',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );
});
