import { bind, ident, join, query, sql, SqlParams } from '../../src/common/sql';
import { usageFilterSql } from '../../src/modules/usage/usage-filter';

describe('SQL fragments', () => {
  test('a value is a parameter, never text, whatever it holds', () => {
    const hostile = "x'; DROP TABLE usage_events; --";
    expect(query(sql`SELECT 1 WHERE name = ${hostile} AND n = ${3}`)).toEqual({
      text: 'SELECT 1 WHERE name = $1 AND n = $2',
      values: [hostile, 3],
    });
  });

  test('fragments inline, numbered in order; a bound value is one parameter wherever it appears', () => {
    const at = bind(new Date('2026-05-01T00:00:00Z'));
    const where = join([sql`a >= ${at}`, sql`b < ${at}`, sql`c = ${'x'}`], ' AND ');
    expect(query(sql`SELECT * FROM ${ident('usage_events')} WHERE ${where} LIMIT ${10}`)).toEqual({
      text: 'SELECT * FROM usage_events WHERE a >= $1 AND b < $1 AND c = $2 LIMIT $3',
      values: [new Date('2026-05-01T00:00:00Z'), 'x', 10],
    });
  });

  test("a builder numbers its own values and a fragment's in one list", () => {
    const p = new SqlParams();
    const first = p.add('before');
    expect(`${first} ${p.sql(sql`x = ${1}`)}`).toBe('$1 x = $2');
    expect(p.values).toEqual(['before', 1]);
  });

  test('join of nothing is empty text', () => {
    expect(query(sql`SELECT 1${join([])}`)).toEqual({ text: 'SELECT 1', values: [] });
  });
});

describe('usageFilterSql', () => {
  const render = (filter: Parameters<typeof usageFilterSql>[0]) => usageFilterSql(filter).map((f) => query(f));

  test.each([
    ['no filter', null, []],
    [
      'one project: a scalar subquery the index can use',
      { projects: ['p1'] },
      [{ text: 'e.project_id = (SELECT id FROM projects WHERE name = $1::text)', values: ['p1'] }],
    ],
    [
      'several users: any of them',
      { users: ['a', 'b'] },
      [{ text: 'e.user_id IN (SELECT id FROM users WHERE name = ANY($1::text[]))', values: [['a', 'b']] }],
    ],
    [
      'resources by their ids',
      { resources: ['vm-1'] },
      [{ text: 'e.resource_id = (SELECT id FROM resources WHERE external_id = $1::text)', values: ['vm-1'] }],
    ],
    [
      'components through their meters',
      { components: ['compute'] },
      [
        {
          text: 'e.meter_id IN (SELECT m.id FROM meters m JOIN components c ON c.id = m.component_id WHERE c.name = ANY($1::text[]))',
          values: [['compute']],
        },
      ],
    ],
    [
      'partitions and priorities as values',
      { partitions: ['gpu'], priorities: ['high'] },
      [
        { text: 'e.partition = ANY($1::text[])', values: [['gpu']] },
        { text: 'e.priority = ANY($1::text[])', values: [['high']] },
      ],
    ],
    ['discrete events only', { discrete: true }, [{ text: 'e.end_time IS NULL', values: [] }]],
    ['records with an end only', { discrete: false }, [{ text: 'e.end_time IS NOT NULL', values: [] }]],
  ])('%s', (_, filter, expected) => {
    expect(render(filter)).toEqual(expected);
  });

  test("metadata: contained in the version valid at the start, of a resource of the record's own project, bound as JSON", () => {
    const [{ text, values }] = render({ metadata: { flavor: "large'" } });
    expect(text.replace(/\s+/g, ' ')).toBe(
      'EXISTS (SELECT 1 FROM resource_metadata rmf JOIN resources rf ON rf.id = rmf.resource_id WHERE rmf.resource_id = e.resource_id AND rf.project_id = e.project_id AND rmf.valid_from <= e.start_time AND (rmf.valid_to IS NULL OR rmf.valid_to > e.start_time) AND rmf.metadata @> $1::jsonb)',
    );
    expect(values).toEqual(['{"flavor":"large\'"}']);
  });
});
