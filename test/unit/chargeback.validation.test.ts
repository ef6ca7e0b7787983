import { Problems } from '../../src/errors/errors';
import { ChargebackPeriod, type ChargebackInput } from '../../src/modules/chargeback/chargeback.types';
import { checkChargebackInput, type ChargebackChecks } from '../../src/modules/chargeback/chargeback.validation';
import { fakeCatalog, fakeZones, problemsOf, ZONE_MESSAGE } from './validation-fakes';

// The estimate counts one day more than [from, to) holds: January's 31 days count 32.
const checks: ChargebackChecks = { maxPeriods: 32, zones: fakeZones(), catalog: fakeCatalog() };
const base: ChargebackInput = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };

async function check(input: Partial<ChargebackInput>) {
  const problems = new Problems();
  const checked = await checkChargebackInput({ ...base, ...input }, problems, checks);
  return { checked, problems: problemsOf(problems) };
}

describe('checkChargebackInput', () => {
  test('fills defaults: UTC, one PERIOD, no detail, every meter', async () => {
    expect(await check({})).toEqual({
      problems: [],
      checked: { timeZone: 'UTC', period: ChargebackPeriod.PERIOD, detail: false, meterIds: null },
    });
    expect((await check({ meters: [] })).checked.meterIds).toBeNull();
  });

  test('keeps what is given; meters become their ids', async () => {
    expect(
      await check({ timeZone: 'Europe/Berlin', period: ChargebackPeriod.DAILY, detail: true, meters: ['gpu.hours', 'cpu.hours'] }),
    ).toEqual({
      problems: [],
      checked: { timeZone: 'Europe/Berlin', period: ChargebackPeriod.DAILY, detail: true, meterIds: [2, 1] },
    });
  });

  test.each<[string, Partial<ChargebackInput>, (string | number)[], string]>([
    ['to not after from', { to: base.from }, ['input', 'to'], 'must be after from'],
    ['a zone that is not known', { timeZone: 'Mars/Olympus' }, ['input', 'timeZone'], ZONE_MESSAGE('Mars/Olympus')],
    [
      'more days than maxPeriods',
      { to: new Date('2026-02-02T00:00:00Z') },
      ['input', 'to'],
      '[from, to) holds more than 32 days; use a shorter range',
    ],
    ['a meter not defined', { meters: ['cpu.hours', 'cpu.hourz'] }, ['input', 'meters', 1], 'meter "cpu.hourz" is not defined'],
  ])('%s: a problem at its path', async (_, input, path, message) => {
    expect((await check(input)).problems).toEqual([{ path, message }]);
  });

  test('every problem at once, in the order of the input', async () => {
    const { problems } = await check({ to: base.from, timeZone: 'Nowhere/Special', meters: ['nope'] });
    expect(problems.map((p) => p.path.join('.'))).toEqual(['input.to', 'input.timeZone', 'input.meters.0']);
  });
});
