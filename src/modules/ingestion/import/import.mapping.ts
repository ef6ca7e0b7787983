import { getNamedType, getNullableType, GraphQLFloat, GraphQLInt, isInputObjectType, isListType, isNonNullType } from 'graphql';
import { Problems, type Problem } from '../../../errors/errors';
import { jsonError, type DecodedReport, type ReportDecoder } from '../ingestion.mapping';

/** A line of a file as it came: a report to check, or the problems that kept it from being one. */
export type Decoded = { value: unknown; problems?: undefined } | { value?: undefined; problems: Problem[] };

/** How a CSV column's text becomes a value of the report. */
type ColumnKind = 'text' | 'number' | 'json';

/** The columns of a CSV file, checked against the report's fields. */
export interface CsvColumns {
  names: string[];
  kinds: ColumnKind[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A line of an import file is a usage report in the shape of the GraphQL input
 * UsageReportInput, decoded by GraphQL's own rules (ReportDecoder), so that a file means what the
 * same JSON sent to the API means; a CSV record is first read into that shape.
 */
export class ReportShape {
  private readonly kinds: ReadonlyMap<string, ColumnKind>;
  private readonly required: readonly string[];
  constructor(private readonly decoder: ReportDecoder) {
    const type = decoder.type;
    const fields = Object.values(type.getFields());
    this.kinds = new Map(
      fields.map((field) => {
        const named = getNamedType(field.type);
        const nested = isListType(getNullableType(field.type)) || isInputObjectType(named) || named.name === 'JSONObject';
        const kind: ColumnKind = nested ? 'json' : named === GraphQLFloat || named === GraphQLInt ? 'number' : 'text';
        return [field.name, kind];
      }),
    );
    this.required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
  }

  /** The report a line's value stands for, or every problem GraphQL's coercion finds in it, with its path. */
  toReport(value: unknown): DecodedReport {
    return this.decoder.decode(value);
  }

  /**
   * Checks a CSV header: every column names a field of the report, once, and the required fields
   * are all there. A bad header makes every line meaningless, so it fails the whole file.
   */
  csvColumns(header: readonly string[]): CsvColumns {
    const problems = new Problems();
    const names = header.map((name) => name.trim());
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (!this.kinds.has(name))
        problems.add(['header', i], `"${name}" is not a field of a usage report (${[...this.kinds.keys()].join(', ')})`);
      else if (seen.has(name)) problems.add(['header', i], `"${name}" appears twice`);
      seen.add(name);
    });
    for (const name of this.required) if (!seen.has(name)) problems.add(['header'], `has no column "${name}", which every report needs`);
    problems.throwIfAny();
    return { names, kinds: names.map((name) => this.kinds.get(name)!) };
  }

  /**
   * A CSV record as the report's fields: an empty cell is an absent field; numbers are read as
   * numbers when they are written as numbers (otherwise left as text, for coercion to refuse);
   * nested fields (additionalMetrics, additionalResources, additionalData) are JSON.
   */
  fromCsv(columns: CsvColumns, fields: readonly string[]): Decoded {
    if (fields.length !== columns.names.length) {
      return {
        problems: [
          { path: [], message: `has ${fields.length} field${fields.length === 1 ? '' : 's'}; the header has ${columns.names.length}` },
        ],
      };
    }
    const value: Record<string, unknown> = {};
    const problems: Problem[] = [];
    fields.forEach((text, i) => {
      if (text === '') return;
      const name = columns.names[i];
      switch (columns.kinds[i]) {
        case 'number':
          value[name] = NUMBER.test(text.trim()) ? Number(text) : text;
          break;
        case 'json':
          try {
            value[name] = JSON.parse(text);
          } catch (error) {
            problems.push({ path: [name], message: `is not valid JSON: ${jsonError(error)}` });
          }
          break;
        default:
          value[name] = text;
      }
    });
    return problems.length > 0 ? { problems } : { value };
  }
}
