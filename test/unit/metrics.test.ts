import { Metrics } from '../../src/ops/metrics';
import { parseMetrics, sample } from '../helpers/prometheus';

const idlePool = () => ({ total: 0, idle: 0, waiting: 0, max: 10 });

test('operation labels are bounded: anonymous and unresolved operations have one label each, names past the cap share one', () => {
  const metrics = new Metrics({ pool: idlePool, maxOperations: 2, processMetrics: false });
  expect(metrics.operationLabel(null)).toBe('(anonymous)');
  expect(metrics.operationLabel(undefined)).toBe('(none)');
  expect(metrics.operationLabel('Meters')).toBe('Meters');
  expect(metrics.operationLabel('x'.repeat(65))).toBe('(other)');
  expect(metrics.operationLabel('Report')).toBe('Report');
  expect(metrics.operationLabel('Third')).toBe('(other)');
  // Names seen before the cap keep their label.
  expect(metrics.operationLabel('Meters')).toBe('Meters');
});

test('a finished request counts once under its operation and status, with each error code', async () => {
  const metrics = new Metrics({ pool: idlePool, maxOperations: 1, processMetrics: false });
  metrics.requestFinished({ operationName: 'A', operationType: 'query', status: 200, seconds: 0.02, errorCodes: [] });
  metrics.requestFinished({
    operationName: 'B',
    operationType: 'mutation',
    status: 200,
    seconds: 3,
    errorCodes: ['BAD_USER_INPUT', 'FORBIDDEN'],
  });
  metrics.reportsIngested({ created: 5, updated: 0, unchanged: 2, superseded: 1, rejected: 0, failed: 0 });
  const samples = parseMetrics(await metrics.text());
  expect(sample(samples, 'meterql_graphql_requests_total', { operation: 'A', type: 'query', status: '200' })).toBe(1);
  expect(sample(samples, 'meterql_graphql_requests_total', { operation: '(other)', type: 'mutation', status: '200' })).toBe(1);
  expect(sample(samples, 'meterql_graphql_request_duration_seconds_bucket', { operation: 'A', type: 'query', le: '0.025' })).toBe(1);
  expect(sample(samples, 'meterql_graphql_request_duration_seconds_bucket', { operation: 'A', type: 'query', le: '0.01' })).toBe(0);
  expect(sample(samples, 'meterql_graphql_request_duration_seconds_bucket', { operation: '(other)', type: 'mutation', le: '2.5' })).toBe(0);
  expect(sample(samples, 'meterql_graphql_request_duration_seconds_bucket', { operation: '(other)', type: 'mutation', le: '5' })).toBe(1);
  expect(sample(samples, 'meterql_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
  expect(sample(samples, 'meterql_graphql_errors_total', { code: 'FORBIDDEN' })).toBe(1);
  expect(sample(samples, 'meterql_reports_ingested_total', { outcome: 'created' })).toBe(5);
  expect(sample(samples, 'meterql_reports_ingested_total', { outcome: 'updated' })).toBe(0);
  expect(sample(samples, 'meterql_reports_ingested_total', { outcome: 'superseded' })).toBe(1);
  expect(sample(samples, 'process_cpu_user_seconds_total')).toBeUndefined();
});
