import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import { DEFAULT_LIMITS } from '../config';
import type { Path, Problems } from '../errors/errors';

export const DEFAULT_PAGE_SIZE = 100;

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last item; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Items per page (default ${DEFAULT_PAGE_SIZE}; at most ${DEFAULT_LIMITS.maxPageSize} unless the server sets another limit).`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** A Relay connection type named <name>Connection, with edges <name>Edge. */
export function Connection<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // Registered under its own name but referenced by no field, so it stays out of the schema.
  @ObjectType(`${name}ConnectionBase`, { simpleResolvers: true })
  abstract class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/**
 * How one query pages: the sort key of a row, which its cursor carries, and the test that a key
 * read back from a client is one of this query's. The key is all a page starts from: a key of
 * another query, or a forged one, would start it anywhere, or fail inside the statement.
 */
export interface CursorKey<R, K> {
  of(row: R): unknown[];
  /** The key as the query uses it, or undefined when it is not a key of this query. */
  parse(key: unknown[]): K | undefined;
}

/**
 * A query sorted by one unique name: its cursor holds that name. No name holds a NUL character
 * (no input may), which PostgreSQL's text could not take.
 */
export function nameCursor<R>(name: (row: R) => string): CursorKey<R, string> {
  return {
    of: (row) => [name(row)],
    parse: ([value, ...rest]) => (rest.length === 0 && typeof value === 'string' && !value.includes('\0') ? value : undefined),
  };
}

/** Cursors are opaque to clients: base64url of the JSON of the sort key of the last item. */
function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): unknown[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

export interface PageRequest<K> {
  first: number;
  /** The sort key of the item after which the page starts, as the query uses it. */
  after: K | undefined;
}

/** Checks first and after (a cursor this query returned), adding problems under the given path. */
export function pageRequest<K>(
  args: { first?: number | null; after?: string | null },
  problems: Problems,
  options: { maxPageSize: number; cursor: Pick<CursorKey<unknown, K>, 'parse'> },
  path: Path = [],
): PageRequest<K> {
  const { maxPageSize, cursor } = options;
  const first = args.first ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    problems.add([...path, 'first'], `must be between 1 and ${maxPageSize}`);
  }
  let after: K | undefined;
  if (args.after != null) {
    const key = decodeCursor(args.after);
    after = key && cursor.parse(key);
    if (after === undefined) problems.add([...path, 'after'], 'is not a cursor returned by this query');
  }
  return { first, after };
}

/** Turns first + 1 fetched rows into a page: the extra row only says that another page exists. */
export function toPage<R, T>(rows: R[], first: number, cursor: CursorKey<R, unknown>, node: (row: R) => T): Page<T> {
  const hasNextPage = rows.length > first;
  // A cursor is encoded when it is read: most pages are read for their nodes and the end cursor.
  const edges = rows.slice(0, first).map((row) => ({
    get cursor() {
      return encodeCursor(cursor.of(row));
    },
    node: node(row),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      get endCursor() {
        return edges.length > 0 ? edges[edges.length - 1].cursor : null;
      },
    },
  };
}
