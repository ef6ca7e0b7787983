import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit } from 'graphql';
import { headingName, readmeExamples, readmeTabs } from '../../web/graphiql/readme-tabs';

/**
 * GraphiQL opens with the README's examples (web/graphiql/readme-tabs.ts, read at build time).
 * Here the README is read on its own, as test/e2e/readme.test.ts reads it, and each tab must send
 * exactly what its curl command sends: the same operation (GraphiQL's tabs name theirs) and the
 * same variables.
 */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const requests = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap(([, body]) => {
  const data = body.match(/^curl -s http:\/\/127\.0\.0\.1:4000\/graphql -H 'content-type: application\/json' -d '([\s\S]*)'\n$/);
  return data ? [JSON.parse(data[1]) as { query: string; variables?: Record<string, unknown> }] : [];
});

const withoutNames = (query: string) => print(visit(parse(query), { OperationDefinition: (node) => ({ ...node, name: undefined }) }));
const operationName = (query: string) => {
  const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
};

const tabs = readmeTabs(README);

test('there is a tab for every example of the README, in its order, sending what the README sends', () => {
  expect(requests.length).toBeGreaterThanOrEqual(10);
  expect(
    tabs.map((tab) => ({ query: withoutNames(tab.query), variables: tab.variables === undefined ? undefined : JSON.parse(tab.variables) })),
  ).toEqual(requests.map((request) => ({ query: withoutNames(request.query), variables: request.variables })));
});

test("each tab is titled by its operation, named after the example's heading, and says what the README says of it", () => {
  const names = tabs.map((tab) => operationName(tab.query));
  expect(readmeExamples(README).filter((example) => example.heading === undefined)).toEqual([]);
  expect(new Set(names).size).toBe(tabs.length);
  expect(names).toEqual([
    'DefineComponentAndMeter',
    'ReportUsage',
    'ResendIt',
    'CorrectReport',
    'BadBatchWritesNothing',
    'DiscoverMetersAndProjects',
    'NextPage',
    'VersionResourceMetadata',
    'ReadVersionsBack',
    'FindResourcesByPastMetadata',
    'SetRecordType',
    'ReadRecordTypes',
    'MistypedReportsAreRefused',
    'ListRawEvents',
    'MetadataAsItWas',
    'CoreHoursPerProject',
    'DaysOfTimeZone',
    'GroupByPastMetadata',
    'AdditionalMetricsByWeek',
    'OneResourceUsage',
    'BadStatisticsInput',
    'SetPrice',
    'PriceHistory',
    'CostInStatistics',
    'Chargeback',
    'DailyChargebackPerResource',
    'SetContingents',
    'ContingentStatus',
    'OverlappingContingentsAreRefused',
  ]);
  const comment = (query: string) =>
    query
      .split('\n')
      .filter((line) => line.startsWith('# '))
      .map((line) => line.slice(2))
      .join(' ');
  expect(comment(tabs[0].query)).toBe(
    "Define a component and a meter. Both are idempotent: defining them again changes nothing. A meter's unit, type and component never change.",
  );
  expect(comment(tabs[1].query)).toBe(
    "Report usage. A report's match key is (source, project, computeProject, meter, resource, start, end, user, partition, priority); an absent value matches an absent value, so three VMs of one user in one hour are three records. A resource belongs to the project that first reports it. Volumes are from 0 to 1e15, contingent factors from 0 to 1000. Dates need a time zone offset.",
  );
  for (const tab of tabs) expect(tab.query).toMatch(/^(# .*\n)+(query|mutation) [A-Z]\w* ?[({]/);
});

test.each([
  ['Define a component and a meter.', 'DefineComponentAndMeter'],
  ["One resource's usage.", 'OneResourceUsage'],
  ['A bad batch writes nothing', 'BadBatchWritesNothing'],
  ['Read the versions back', 'ReadVersionsBack'],
  ['Prices, costs and chargeback (v2)', 'PricesCostsAndChargebackV2'],
])('the heading %j names its operation %s', (heading, name) => {
  expect(headingName(heading)).toBe(name);
});
