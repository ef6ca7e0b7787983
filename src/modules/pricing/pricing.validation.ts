import type { Path, Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import type { SetFixedCostInput, SetPriceInput } from './pricing.types';

const CURRENCY = /^[A-Z]{3}$/;
const PRICING_ID = /^\d{1,18}$/;
const LABEL_MAX = 256;

/** Whether an id can name a price card or a fixed cost (a bigint); no row has any other. */
export function isPricingId(id: string): boolean {
  return PRICING_ID.test(id);
}

/**
 * Checks a setPrice input, adding each problem at its path: a defined meter, the labels, a price
 * that is not negative, an ISO 4217 currency and a validity that ends after it starts. Returns the
 * meter's id, which means something only when no problem was added.
 */
export async function checkSetPriceInput(
  input: SetPriceInput,
  problems: Problems,
  catalog: Pick<CatalogService, 'meterIds'>,
  path: Path = ['input'],
): Promise<{ meterId: number }> {
  const [meterId] = await catalog.meterIds([input.meter], problems, [...path, 'meter']);
  checkLabel(input.partition, problems, [...path, 'partition']);
  checkLabel(input.priority, problems, [...path, 'priority']);
  checkCommon(input, problems, path);
  return { meterId };
}

/** Checks a setFixedCost input, adding each problem at its path: the labels, the amount, the currency and the validity. */
export function checkSetFixedCostInput(input: SetFixedCostInput, problems: Problems, path: Path = ['input']): void {
  checkLabel(input.project, problems, [...path, 'project']);
  checkLabel(input.resource, problems, [...path, 'resource']);
  checkLabel(input.name, problems, [...path, 'name']);
  checkCommon({ ...input, unitPrice: input.amount }, problems, path, 'amount');
}

function checkLabel(value: string | null | undefined, problems: Problems, path: Path): void {
  if (value != null && (value.trim() === '' || value.length > LABEL_MAX))
    problems.add(path, `must be a non-blank string of at most ${LABEL_MAX} characters`);
}

function checkCommon(
  input: { unitPrice: string; currency: string; validFrom: Date; validTo?: Date | null },
  problems: Problems,
  path: Path,
  amountField = 'unitPrice',
): void {
  if (input.unitPrice.startsWith('-')) problems.add([...path, amountField], 'must not be negative');
  if (!CURRENCY.test(input.currency))
    problems.add([...path, 'currency'], `"${input.currency}" is not an ISO 4217 code of three capital letters, such as EUR`);
  if (input.validTo != null && input.validTo <= input.validFrom) problems.add([...path, 'validTo'], 'must be later than validFrom');
}
