import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../src/errors/errors';
import { fileIdentity, sameFile } from '../../src/modules/ingestion/import/import.checkpoint';
import { CsvRecordScanner } from '../../src/modules/ingestion/import/import.csv';
import { ReportShape } from '../../src/modules/ingestion/import/import.mapping';
import { ReportDecoder } from '../../src/modules/ingestion/ingestion.mapping';
import { openRecords, type ImportFormat, type Position, type SourceRecord } from '../../src/modules/ingestion/import/import.readers';
import { createSchema } from '../../src/schema';

let dir: string;
let shape: ReportShape;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'meterql-import-unit-'));
  shape = new ReportShape(ReportDecoder.of(await createSchema()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(content: string | Buffer, extension = 'txt'): string {
  const file = path.join(dir, `f${++files}.${extension}`);
  writeFileSync(file, content);
  return file;
}

async function read(file: string, format: ImportFormat, from: Position = { offset: 0, line: 0 }): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of await openRecords(file, format, from, shape)) records.push(record);
  return records;
}

describe('CsvRecordScanner', () => {
  const scan = (...lines: string[]) => {
    const scanner = new CsvRecordScanner();
    const results = lines.map((line) => scanner.line(line));
    return [...results, scanner.end()];
  };

  test.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,', ['a', '', '']],
    ['', ['']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"",x', ['', 'x']],
    [' a , b ', [' a ', ' b ']],
    ['é,"ü"', ['é', 'ü']],
  ])('%j has the fields %j', (line, fields) => {
    expect(scan(line)).toEqual([{ fields }, undefined]);
  });

  test('a quoted field may hold line ends; the record ends where the quote closes', () => {
    expect(scan('1,"two', '', 'lines",3', '4')).toEqual([
      undefined,
      undefined,
      { fields: ['1', 'two\n\nlines', '3'] },
      { fields: ['4'] },
      undefined,
    ]);
  });

  test.each([
    ['a,"b"c', 'field 2: a closing quote must be followed by a comma or the end of the line'],
    ['a,b"c', 'field 2: a quote may only open a field; write the field in quotes and double the quotes inside it'],
    ['a,"b" ,c', 'field 2: a closing quote must be followed by a comma or the end of the line'],
  ])('%j is refused, and the next line is read afresh', (line, error) => {
    expect(scan(line, 'x,y')).toEqual([{ error }, { fields: ['x', 'y'] }, undefined]);
  });

  test('a quote never closed is an error at the end of the file', () => {
    expect(scan('a,"b', 'c')).toEqual([undefined, undefined, { error: 'field 2: its opening quote is never closed' }]);
  });
});

describe('NDJSON', () => {
  test('one record per non-blank line, with its line number, the offset after it and its text', async () => {
    // A BOM, CRLF line ends, blank lines, a character of two bytes, no line end at the end.
    const file = fileWith('\uFEFF{"a":1}\r\n\r\n  \n{"b":"é"}\nnot json\n[1]');
    const records = await read(file, 'ndjson');
    expect(records).toEqual([
      { line: 1, endLine: 1, end: 12, text: '{"a":1}', decoded: { value: { a: 1 } } },
      { line: 4, endLine: 4, end: 28, text: '{"b":"é"}', decoded: { value: { b: 'é' } } },
      {
        line: 5,
        endLine: 5,
        end: 37,
        text: 'not json',
        decoded: { problems: [{ path: [], message: expect.stringMatching(/^is not valid JSON: Unexpected token/) }] },
      },
      { line: 6, endLine: 6, end: 40, text: '[1]', decoded: { value: [1] } },
    ]);
    expect(records[3].end).toBe(Buffer.byteLength('\uFEFF{"a":1}\r\n\r\n  \n{"b":"é"}\nnot json\n[1]'));
  });

  test('reading from an offset gives the records after it, numbered on', async () => {
    const file = fileWith('{"a":1}\n{"a":2}\n\n{"a":3}\n');
    const all = await read(file, 'ndjson');
    expect(await read(file, 'ndjson', { offset: all[0].end, line: all[0].endLine })).toEqual(all.slice(1));
    expect(await read(file, 'ndjson', { offset: all[2].end, line: all[2].endLine })).toEqual([]);
    expect(all.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  test('records longer than a read chunk come whole', async () => {
    const long = JSON.stringify({ project: 'p'.repeat(3_000_000) });
    const file = fileWith(`${long}\n{"a":1}\n`);
    const records = await read(file, 'ndjson');
    expect(records.map((r) => [r.line, r.end, r.text.length])).toEqual([
      [1, long.length + 1, long.length],
      [2, long.length + 9, 7],
    ]);
  });
});

describe('CSV', () => {
  const header = 'project,meter,start,volume,user,additionalMetrics';

  test("the header names the fields; cells become the report's values", async () => {
    const lines = [
      `\uFEFF${header}\r\n`,
      'p1,cpu.hours,2026-10-01T00:00:00Z,1.5,alice,"[{""metric"":""energy_kwh"",""volume"":2}]"\r\n',
      '\r\n',
      'p2,cpu.hours,2026-10-01T00:00:00Z,-2e3,"multi\r\n',
      'line",\r\n',
      'p3,cpu.hours,2026-10-01T00:00:00Z,ten,,[x\r\n',
      'p4,cpu.hours\r\n',
      'p5,"cpu"x,2026,1,,\r\n',
    ];
    const endOf = (line: number) => Buffer.byteLength(lines.slice(0, line).join(''));
    const file = fileWith(lines.join(''));
    const records = await read(file, 'csv');
    expect(records.map(({ line, endLine, text, decoded }) => ({ line, endLine, text, decoded }))).toEqual([
      {
        line: 2,
        endLine: 2,
        text: 'p1,cpu.hours,2026-10-01T00:00:00Z,1.5,alice,"[{""metric"":""energy_kwh"",""volume"":2}]"',
        decoded: {
          value: {
            project: 'p1',
            meter: 'cpu.hours',
            start: '2026-10-01T00:00:00Z',
            volume: 1.5,
            user: 'alice',
            additionalMetrics: [{ metric: 'energy_kwh', volume: 2 }],
          },
        },
      },
      {
        line: 4,
        endLine: 5,
        text: 'p2,cpu.hours,2026-10-01T00:00:00Z,-2e3,"multi\nline",',
        decoded: { value: { project: 'p2', meter: 'cpu.hours', start: '2026-10-01T00:00:00Z', volume: -2000, user: 'multi\nline' } },
      },
      // A number column that is no number stays text, for coercion to refuse; JSON that does not parse is refused here.
      {
        line: 6,
        endLine: 6,
        text: 'p3,cpu.hours,2026-10-01T00:00:00Z,ten,,[x',
        decoded: { problems: [{ path: ['additionalMetrics'], message: expect.stringMatching(/^is not valid JSON: /) }] },
      },
      { line: 7, endLine: 7, text: 'p4,cpu.hours', decoded: { problems: [{ path: [], message: 'has 2 fields; the header has 6' }] } },
      {
        line: 8,
        endLine: 8,
        text: 'p5,"cpu"x,2026,1,,',
        decoded: {
          problems: [
            { path: [], message: 'is not valid CSV: field 2: a closing quote must be followed by a comma or the end of the line' },
          ],
        },
      },
    ]);
    expect(records.map((r) => r.end)).toEqual([endOf(2), endOf(5), endOf(6), endOf(7), endOf(8)]);
  });

  test('reading from an offset reads the header first, then the records after the offset', async () => {
    const file = fileWith(`${header}\np1,m,2026-10-01T00:00:00Z,1,,\np2,m,2026-10-01T00:00:00Z,2,,\n\np3,m,2026-10-01T00:00:00Z,3,,`);
    const all = await read(file, 'csv');
    expect(all.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(await read(file, 'csv', { offset: all[0].end, line: all[0].endLine })).toEqual(all.slice(1));
    expect(await read(file, 'csv', { offset: all[2].end, line: all[2].endLine })).toEqual([]);
  });

  test('an open quote takes the rest of the file into one refused record', async () => {
    const file = fileWith(`${header}\np1,m,2026-10-01T00:00:00Z,1,"alice,\np2,m,2026-10-01T00:00:00Z,2,,\n`);
    const records = await read(file, 'csv');
    expect(records).toEqual([
      {
        line: 2,
        endLine: 3,
        end: Buffer.byteLength(`${header}\np1,m,2026-10-01T00:00:00Z,1,"alice,\np2,m,2026-10-01T00:00:00Z,2,,\n`),
        text: 'p1,m,2026-10-01T00:00:00Z,1,"alice,\np2,m,2026-10-01T00:00:00Z,2,,',
        decoded: { problems: [{ path: [], message: 'is not valid CSV: field 5: its opening quote is never closed' }] },
      },
    ]);
  });

  test('a header that names no field, names one twice or lacks a required one fails the whole file', async () => {
    const file = fileWith('project,meter,volume,projct,meter\np,m,1,x,m\n');
    const error = await read(file, 'csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      {
        path: ['header', 3],
        message: expect.stringMatching(/^"projct" is not a field of a usage report \(project, computeProject, meter, /),
      },
      { path: ['header', 4], message: '"meter" appears twice' },
      { path: ['header'], message: 'has no column "start", which every report needs' },
    ]);
  });

  test('an empty file has no records', async () => {
    expect(await read(fileWith('\n\n'), 'csv')).toEqual([]);
  });
});

describe('ReportShape.toReport', () => {
  test('coerces as GraphQL coerces reportUsage variables: dates, defaults', () => {
    expect(
      shape.toReport({
        project: 'p',
        meter: 'm',
        start: '2026-10-01T02:00:00+02:00',
        volume: 3,
        additionalMetrics: [{ metric: 'x', volume: 1 }],
      }),
    ).toEqual({
      report: {
        project: 'p',
        meter: 'm',
        start: new Date('2026-10-01T00:00:00Z'),
        volume: 3,
        contingentFactor: 1,
        source: 'default',
        operationCount: 1,
        additionalMetrics: [{ metric: 'x', volume: 1, contingentFactor: 1 }],
      },
    });
  });

  test('every problem, with its path', () => {
    expect(
      shape.toReport({
        project: null,
        start: '2026-10-01',
        volume: '1',
        user: 5,
        operationCount: 1.5,
        projct: 'p',
        additionalMetrics: [{ metric: 'x' }],
        additionalData: [1],
      }),
    ).toEqual({
      problems: [
        { path: ['project'], message: 'is required' },
        { path: ['meter'], message: 'is required' },
        {
          path: ['start'],
          message:
            'DateTime must be an RFC 3339 date-time with a time zone offset, such as 2026-03-01T00:00:00Z, from year 0001 to 9999 (UTC); got "2026-10-01"',
        },
        { path: ['volume'], message: 'Float cannot represent non numeric value: "1"' },
        { path: ['user'], message: 'String cannot represent a non string value: 5' },
        { path: ['operationCount'], message: 'Int cannot represent non-integer value: 1.5' },
        { path: ['additionalMetrics', 0, 'volume'], message: 'is required' },
        { path: ['additionalData'], message: 'JSONObject cannot represent non-object value: 1' },
        { path: ['projct'], message: 'is not a field of a usage report (did you mean "project"?)' },
      ],
    });
    expect(shape.toReport([1])).toEqual({ problems: [{ path: [], message: 'Expected type "UsageReportInput" to be an object.' }] });
    // A line `null` is refused on its own, not read as no report (which stopped the import).
    expect(shape.toReport(null)).toEqual({ problems: [{ path: [], message: 'must be a usage report (a JSON object), not null' }] });
  });
});

test("a file's identity changes with its content, size or modification time", () => {
  const file = fileWith('{"a":1}\n');
  const before = fileIdentity(file);
  expect(sameFile(before, fileIdentity(file))).toBe(true);
  writeFileSync(file, '{"a":2}\n');
  utimesSync(file, new Date(before.mtimeMs / 1000), new Date(before.mtimeMs / 1000));
  const rewritten = fileIdentity(file);
  expect(rewritten.size).toBe(before.size);
  expect(rewritten.head).not.toBe(before.head);
  expect(sameFile(before, rewritten)).toBe(false);
  writeFileSync(file, '{"a":2}\n{"a":3}\n');
  expect(sameFile(rewritten, fileIdentity(file))).toBe(false);
});
