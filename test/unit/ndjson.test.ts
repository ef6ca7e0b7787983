import { ValidationError } from '../../src/errors/errors';
import { ReportDecoder } from '../../src/modules/ingestion/ingestion.mapping';
import { NdjsonReports } from '../../src/modules/ingestion/ingestion.ndjson';
import { createSchema } from '../../src/schema';

let decoder: ReportDecoder;
beforeAll(async () => {
  decoder = ReportDecoder.of(await createSchema());
});

const line = (project: string, volume: number) =>
  JSON.stringify({ project, meter: 'cpu.hours', start: '2026-10-01T00:00:00Z', volume, additionalData: { note: 'größe €' } });

/** The upload's bytes, cut into chunks at every given offset. */
function chunks(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const at = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return at.slice(1).map((end, i) => bytes.subarray(at[i], end));
}

test('lines cut anywhere by the network, in a multi-byte character or between CR and LF, read the same', () => {
  const text = `${line('ä', 1)}\r\n\n${line('b', 2)}\n${line('c', 3)}`;
  const whole = new NdjsonReports(decoder, 10);
  whole.push(Buffer.from(text));
  const expected = whole.end();
  expect(expected.map((r) => [r.project, r.volume, r.additionalData])).toEqual([
    ['ä', 1, { note: 'größe €' }],
    ['b', 2, { note: 'größe €' }],
    ['c', 3, { note: 'größe €' }],
  ]);
  const length = Buffer.byteLength(text);
  for (let cut = 1; cut < length; cut++) {
    const upload = new NdjsonReports(decoder, 10);
    for (const chunk of chunks(text, [cut, cut + 1, Math.floor(cut / 2)])) upload.push(chunk);
    expect(upload.end()).toEqual(expected);
  }
});

test('a line that is not JSON, and one that is not a report, each at its place among the reports', () => {
  const upload = new NdjsonReports(decoder, 10);
  upload.push(
    Buffer.from(`${line('a', 1)}\n\n{"project":\n${line('b', -1)}\n{"project":"c","meter":"m","start":"2026-10-01","volume":1}\n`),
  );
  let error: unknown;
  try {
    upload.end();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  // A negative volume is a rule of the checks that follow, not of decoding: only the decoding problems show here.
  expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
    ['reports', 1],
    ['reports', 3, 'start'],
  ]);
});

test('more reports than the limit are refused as one problem, however bad they are', () => {
  const upload = new NdjsonReports(decoder, 2);
  upload.push(Buffer.from(`${line('a', 1)}\nnot json\n${line('c', 3)}\n`));
  expect(() => upload.end()).toThrow('reports: at most 2 reports per request, got 3');
});
