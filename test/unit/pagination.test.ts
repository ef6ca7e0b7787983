import { nameCursor, pageRequest, toPage, type CursorKey } from '../../src/common/pagination';
import { Problems } from '../../src/errors/errors';

const byName = nameCursor((row: { name: string }) => row.name);
const byTwo: CursorKey<{ n: number; s: string }, { n: number; s: string }> = {
  of: (row) => [row.n, row.s],
  parse: ([n, s, ...rest]) => (rest.length === 0 && typeof n === 'number' && typeof s === 'string' ? { n, s } : undefined),
};
const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const NOT_A_CURSOR = 'is not a cursor returned by this query';

function request<K>(
  args: { first?: number | null; after?: string | null },
  cursor: Pick<CursorKey<unknown, K>, 'parse'>,
  path: (string | number)[] = [],
) {
  const problems = new Problems();
  const page = pageRequest(args, problems, { maxPageSize: 50, cursor }, path);
  return { page, problems: problems.all.map((p) => ({ path: [...p.path], message: p.message })) };
}

describe('pageRequest', () => {
  test('first defaults to 100, or the largest page when that is smaller; no cursor: the first page', () => {
    expect(request({}, byName)).toEqual({ page: { first: 50, after: undefined }, problems: [] });
    const problems = new Problems();
    expect(pageRequest({}, problems, { maxPageSize: 1000, cursor: byName })).toEqual({ first: 100, after: undefined });
  });

  test.each([0, -1, 51, 1.5])('first %d is refused at its path', (first) => {
    expect(request({ first }, byName, ['page']).problems).toEqual([{ path: ['page', 'first'], message: 'must be between 1 and 50' }]);
  });

  test("a cursor the query returned is read back as the query's key", () => {
    const rows = [
      { n: 1, s: 'a' },
      { n: 2, s: 'b' },
      { n: 3, s: 'c' },
    ];
    const page = toPage(rows, 2, byTwo, (row) => row.s);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1].cursor });
    expect(request({ after: page.pageInfo.endCursor }, byTwo).page.after).toEqual({ n: 2, s: 'b' });
    const names = toPage([{ name: 'x' }], 5, byName, (row) => row.name);
    expect(names.pageInfo.hasNextPage).toBe(false);
    expect(request({ after: names.pageInfo.endCursor }, byName).page.after).toBe('x');
  });

  test.each([
    ['not base64 JSON', '%%%'],
    ['JSON that is no array', encode({ name: 'x' })],
    ['an empty key', encode([])],
    ["another query's key", encode([2, 'b'])],
    ['a name and more', encode(['x', 1])],
    ['a name that is no string', encode([1])],
    ['a name with a NUL character', encode(['x\u0000'])],
  ])('%s is not a cursor of a query by name, refused at after', (_, after) => {
    expect(request({ after }, byName)).toEqual({
      page: { first: 50, after: undefined },
      problems: [{ path: ['after'], message: NOT_A_CURSOR }],
    });
  });

  test("each query's own test decides: a name is no cursor of a query by (number, name)", () => {
    expect(request({ after: encode(['x']) }, byTwo).problems).toEqual([{ path: ['after'], message: NOT_A_CURSOR }]);
  });
});
