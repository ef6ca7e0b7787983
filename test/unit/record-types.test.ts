import { Problems, ValidationError } from '../../src/errors/errors';
import { checkRecord, validateRecordType, type RecordFieldType, type RecordType } from '../../src/modules/catalog/record-types';
import { normalizeReports, type UsageReport } from '../../src/modules/ingestion/ingestion.validation';

function collect(fn: (problems: Problems) => void): { path: unknown[]; message: string }[] {
  const problems = new Problems();
  fn(problems);
  try {
    problems.throwIfAny();
    return [];
  } catch (error) {
    return (error as ValidationError).problems.map((p) => ({ path: [...p.path], message: p.message }));
  }
}

const one = (type: RecordFieldType): RecordType => ({ name: null, fields: [{ name: 'x', type, required: true, description: null }] });

describe('checkRecord', () => {
  test.each<[RecordFieldType, unknown, boolean]>([
    ['STRING', 'a', true],
    ['STRING', '', true],
    ['STRING', 1, false],
    ['STRING', ['a'], false],
    ['INTEGER', 3, true],
    ['INTEGER', -7, true],
    ['INTEGER', 2.5, false],
    ['INTEGER', '3', false],
    ['INTEGER', 2 ** 53, false],
    ['NUMBER', 2.5, true],
    ['NUMBER', 3, true],
    ['NUMBER', '2.5', false],
    ['NUMBER', true, false],
    ['BOOLEAN', false, true],
    ['BOOLEAN', 0, false],
    ['BOOLEAN', 'true', false],
    ['DATETIME', '2026-10-01T00:00:00Z', true],
    ['DATETIME', '2026-10-01T02:00:00.5+02:00', true],
    ['DATETIME', '2026-10-01T00:00:00', false],
    ['DATETIME', '2026-02-30T00:00:00Z', false],
    ['DATETIME', 1790000000000, false],
  ])('%s: %j accepted: %s', (type, value, accepted) => {
    expect(collect((p) => checkRecord(one(type), 'm', { x: value }, p, ['d'])).length).toBe(accepted ? 0 : 1);
  });

  test('a required field absent or null is missing; an optional one may be; other fields are allowed', () => {
    const recordType: RecordType = {
      name: 'JobUsageRecord',
      fields: [
        { name: 'jobId', type: 'STRING', required: true, description: null },
        { name: 'queue', type: 'STRING', required: false, description: null },
      ],
    };
    expect(collect((p) => checkRecord(recordType, 'job.hours', { jobId: '1', other: [1, 2] }, p, ['d']))).toEqual([]);
    expect(collect((p) => checkRecord(recordType, 'job.hours', { jobId: '1', queue: null }, p, ['d']))).toEqual([]);
    const missing = { path: ['d', 'jobId'], message: '"jobId" (STRING) is required by meter "job.hours" (JobUsageRecord)' };
    expect(collect((p) => checkRecord(recordType, 'job.hours', null, p, ['d']))).toEqual([missing]);
    expect(collect((p) => checkRecord(recordType, 'job.hours', { jobId: null }, p, ['d']))).toEqual([missing]);
    expect(collect((p) => checkRecord(recordType, 'job.hours', { jobId: 7, queue: 1 }, p, ['d']))).toEqual([
      { path: ['d', 'jobId'], message: '"jobId" must be STRING, a string, for meter "job.hours" (JobUsageRecord); got 7' },
      { path: ['d', 'queue'], message: '"queue" must be STRING, a string, for meter "job.hours" (JobUsageRecord); got 1' },
    ]);
  });
});

describe('validateRecordType', () => {
  test('fills defaults', () => {
    const problems = new Problems();
    expect(validateRecordType({ fields: [{ name: 'jobId', type: 'STRING' }] }, problems, ['r'])).toEqual({
      name: null,
      fields: [{ name: 'jobId', type: 'STRING', required: true, description: null }],
    });
    expect(problems.count).toBe(0);
  });

  test('refuses names that are not plain identifiers, repeated names, unknown types and no fields', () => {
    const problems = collect((p) =>
      validateRecordType(
        {
          name: 'Job Record',
          fields: [
            { name: 'jobId', type: 'STRING' },
            { name: '2nd', type: 'INTEGER' },
            { name: 'jobId', type: 'NUMBER' },
            { name: 'size', type: 'FLOAT' as RecordFieldType },
          ],
        },
        p,
        ['input', 'recordType'],
      ),
    );
    expect(problems.map((p) => p.path)).toEqual([
      ['input', 'recordType', 'name'],
      ['input', 'recordType', 'fields', 1, 'name'],
      ['input', 'recordType', 'fields', 2, 'name'],
      ['input', 'recordType', 'fields', 3, 'type'],
    ]);
    expect(problems[2].message).toBe('field "jobId" appears twice');
    expect(collect((p) => validateRecordType({ fields: [] }, p, ['r']))).toEqual([
      { path: ['r', 'fields'], message: 'must list at least one field' },
    ]);
  });
});

describe('normalizeReports with record types', () => {
  const jobs: RecordType = { name: null, fields: [{ name: 'jobId', type: 'STRING', required: true, description: null }] };
  const gpus: RecordType = { name: null, fields: [{ name: 'gpuModel', type: 'STRING', required: true, description: null }] };
  const meters = new Map([
    ['job.hours', { recordType: jobs }],
    ['gpu.hours', { recordType: gpus }],
    ['free', { recordType: null }],
  ]);
  const base: UsageReport = { project: 'p', meter: 'job.hours', start: new Date('2026-01-01T00:00:00Z'), volume: 1 };

  test("a report's data must satisfy its meter's and its additional resources' meters' record types", () => {
    const problems = collect((p) =>
      normalizeReports(
        [
          { ...base, additionalData: { jobId: '1' } },
          { ...base, additionalResources: [{ meter: 'gpu.hours', volume: 1 }] },
          { ...base, meter: 'free', additionalResources: [{ meter: 'gpu.hours', volume: 1 }], additionalData: { gpuModel: 'A100' } },
          { ...base, meter: 'free' },
        ],
        meters,
        p,
      ),
    );
    expect(problems).toEqual([
      { path: ['reports', 1, 'additionalData', 'jobId'], message: expect.stringContaining('meter "job.hours"') },
      { path: ['reports', 1, 'additionalData', 'gpuModel'], message: expect.stringContaining('meter "gpu.hours"') },
    ]);
  });
});
