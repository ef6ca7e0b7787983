import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

export { GraphQLJSONObject as JSONObjectScalar };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The instants a DateTime may name: PostgreSQL has no year 0, and a later year than 9999 is a typing error. */
export const EARLIEST_INSTANT = new Date('0001-01-01T00:00:00Z');
export const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

const EARLIEST_MS = EARLIEST_INSTANT.getTime();
const LATEST_MS = LATEST_INSTANT.getTime();
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * Parses an RFC 3339 date-time. The offset is required: a local time names no instant, and
 * guessing the server's zone would bill usage to the wrong hour. Returns undefined when invalid.
 * (A batch of reports parses two a report: nothing is allocated here but the Date.)
 */
export function parseInstant(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(m[1]), month)) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) return undefined;
  const date = new Date(text);
  const ms = date.getTime();
  if (Number.isNaN(ms) || ms < EARLIEST_MS || ms > LATEST_MS) return undefined;
  return date;
}

function coerceInstant(value: unknown): Date {
  if (typeof value === 'string') {
    const date = parseInstant(value);
    if (date) return date;
  }
  throw new GraphQLError(
    `DateTime must be an RFC 3339 date-time with a time zone offset, such as 2026-03-01T00:00:00Z, from year 0001 to 9999 (UTC); got ${JSON.stringify(value)}`,
  );
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant, written as an RFC 3339 date-time with a time zone offset: 2026-03-01T00:00:00Z or ' +
    '2026-03-01T01:00:00+01:00. A date-time without an offset is refused. Precision: milliseconds. ' +
    'From 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    return coerceInstant(value).toISOString();
  },
  parseValue: coerceInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return coerceInstant(ast.value);
  },
});

const DECIMAL = /^-?\d{1,30}(\.\d{1,20})?$/;
/** What meterql answers may be longer than what it takes: a sum of many large amounts. */
const DECIMAL_OUT = /^-?\d+(\.\d+)?$/;

/** A decimal number as its exact text, without trailing zeros: 12.5, 0.000125, 3. */
export function normalizeDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function coerceDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text === 'string' && DECIMAL.test(text)) return normalizeDecimal(text);
  throw new GraphQLError(`Decimal must be a decimal number such as "12.50" (a string, or a JSON number); got ${JSON.stringify(value)}`);
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'An exact decimal number, written as a string: "0.042", "1200". As input, a JSON number is accepted too. ' +
    'Money (prices, costs, fixed costs, totals) and the allocation minutes of a chargeback are Decimals because they are ' +
    'added up again by whoever reads them, and must add up to the last digit: a JSON number is a binary float, in which ' +
    '0.1 + 0.2 is not 0.3, and many JSON parsers round beyond 15 digits. Volumes, durations and their aggregates are ' +
    'Float instead: they are measurements, reported as JSON numbers and stored as double precision (from 0 to 1e15); ' +
    'their sums are computed exactly in the database and given as the nearest Float.',
  serialize(value) {
    const text = typeof value === 'object' && value !== null ? String(value) : value;
    if (typeof text === 'string' && DECIMAL_OUT.test(text)) return normalizeDecimal(text);
    return coerceDecimal(text);
  },
  parseValue: coerceDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return coerceDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string or a number');
  },
});
