import { Problems } from '../../src/errors/errors';
import { FixedCostPer, type SetFixedCostInput, type SetPriceInput } from '../../src/modules/pricing/pricing.types';
import { checkSetFixedCostInput, checkSetPriceInput, isPricingId } from '../../src/modules/pricing/pricing.validation';
import { fakeCatalog, problemsOf } from './validation-fakes';

const catalog = fakeCatalog();
const CARD: SetPriceInput = { meter: 'gpu.hours', unitPrice: '1.5', currency: 'EUR', validFrom: new Date('2026-05-01T00:00:00Z') };
const COST: SetFixedCostInput = {
  project: 'astro',
  name: 'rack',
  amount: '100',
  currency: 'EUR',
  per: FixedCostPer.MONTH,
  validFrom: new Date('2026-05-01T00:00:00Z'),
};
const LABEL = 'must be a non-blank string of at most 256 characters';
const CURRENCY = (c: string) => `"${c}" is not an ISO 4217 code of three capital letters, such as EUR`;

async function priceProblems(input: Partial<SetPriceInput>) {
  const problems = new Problems();
  const checked = await checkSetPriceInput({ ...CARD, ...input }, problems, catalog);
  return { checked, problems: problemsOf(problems) };
}

function costProblems(input: Partial<SetFixedCostInput>) {
  const problems = new Problems();
  checkSetFixedCostInput({ ...COST, ...input }, problems);
  return problemsOf(problems);
}

describe('checkSetPriceInput', () => {
  test("a valid card: the meter's id, no problem", async () => {
    expect(await priceProblems({ partition: 'gpu', priority: 'low', validTo: new Date('2026-06-01T00:00:00Z'), unitPrice: '0' })).toEqual({
      checked: { meterId: 2 },
      problems: [],
    });
  });

  test.each<[string, Partial<SetPriceInput>, (string | number)[], string]>([
    ['a meter not defined', { meter: 'nope' }, ['input', 'meter', 0], 'meter "nope" is not defined'],
    ['a blank partition', { partition: '' }, ['input', 'partition'], LABEL],
    ['a priority of 257 characters', { priority: 'p'.repeat(257) }, ['input', 'priority'], LABEL],
    ['a negative price', { unitPrice: '-0.01' }, ['input', 'unitPrice'], 'must not be negative'],
    ['a currency in small letters', { currency: 'eur' }, ['input', 'currency'], CURRENCY('eur')],
    ['a currency of four letters', { currency: 'EURO' }, ['input', 'currency'], CURRENCY('EURO')],
    ['validTo equal to validFrom', { validTo: CARD.validFrom }, ['input', 'validTo'], 'must be later than validFrom'],
    ['validTo before validFrom', { validTo: new Date('2026-04-01T00:00:00Z') }, ['input', 'validTo'], 'must be later than validFrom'],
  ])('%s: a problem at its path', async (_, input, path, message) => {
    expect((await priceProblems(input)).problems).toEqual([{ path, message }]);
  });

  test('every problem at once, in the order of the input', async () => {
    const { problems } = await priceProblems({ meter: 'nope', unitPrice: '-1', currency: 'eur', validTo: CARD.validFrom });
    expect(problems.map((p) => p.path.join('.'))).toEqual(['input.meter.0', 'input.unitPrice', 'input.currency', 'input.validTo']);
  });
});

describe('checkSetFixedCostInput', () => {
  test('a valid fixed cost has no problem', () => {
    expect(costProblems({ resource: 'rack-7', validTo: new Date('2026-06-01T00:00:00Z') })).toEqual([]);
  });

  test.each<[string, Partial<SetFixedCostInput>, (string | number)[], string]>([
    ['a blank project', { project: '  ' }, ['input', 'project'], LABEL],
    ['a resource of 257 characters', { resource: 'r'.repeat(257) }, ['input', 'resource'], LABEL],
    ['a blank name', { name: '' }, ['input', 'name'], LABEL],
    ['a negative amount', { amount: '-5' }, ['input', 'amount'], 'must not be negative'],
    ['an unknown kind of currency', { currency: '€' }, ['input', 'currency'], CURRENCY('€')],
    ['validTo not after validFrom', { validTo: COST.validFrom }, ['input', 'validTo'], 'must be later than validFrom'],
  ])('%s: a problem at its path', (_, input, path, message) => {
    expect(costProblems(input)).toEqual([{ path, message }]);
  });
});

describe('isPricingId', () => {
  test.each([
    ['1', true],
    ['123456789012345678', true],
    ['1234567890123456789', false],
    ['-1', false],
    ['1e3', false],
    ['', false],
  ])('%j: %s', (id, expected) => {
    expect(isPricingId(id)).toBe(expected);
  });
});
