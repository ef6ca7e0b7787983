/**
 * The API's Decimal strings (money, allocation minutes) as the dashboard adds and shows them.
 * meterql rounds each chargeback line to 6 places and its lines add up to the last digit; a sum in
 * floating point would not, so sums of Decimals are exact, in BigInt.
 */

export type Decimal = string;

function parse(value: Decimal): { digits: bigint; scale: number } {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new Error(`Not a decimal: ${value}`);
  const fraction = match[3] ?? '';
  return { digits: BigInt(`${match[1]}${match[2] || '0'}${fraction}`), scale: fraction.length };
}

/** The exact sum of the values given; null when every one is null (nothing priced). */
export function addDecimals(values: (Decimal | null | undefined)[]): Decimal | null {
  const parsed = values.filter((v): v is Decimal => v !== null && v !== undefined).map(parse);
  if (parsed.length === 0) return null;
  const scale = Math.max(...parsed.map((p) => p.scale));
  const sum = parsed.reduce((total, p) => total + p.digits * 10n ** BigInt(scale - p.scale), 0n);
  const negative = sum < 0n;
  const text = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export const subtractDecimals = (a: Decimal, b: Decimal): Decimal => addDecimals([a, b.startsWith('-') ? b.slice(1) : `-${b}`])!;

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in its currency, with the API's digits: at least the currency's 2, and up to the 6 it
 * rounds to, so that a figure on the page is the figure the API answered.
 */
export function formatMoney(value: Decimal | number, currency: string | null): string {
  const key = currency ?? '';
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      ...(currency ? { style: 'currency', currency } : {}),
      minimumFractionDigits: 2,
      maximumFractionDigits: 6,
    });
    moneyFormats.set(key, format);
  }
  // Intl formats a numeric string exactly, digit for digit.
  return format.format(value as Intl.StringNumericLiteral);
}

const decimalFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 20 });

/** A Decimal grouped, with every digit it has (allocation minutes). */
export const formatDecimal = (value: Decimal): string => decimalFormat.format(value as Intl.StringNumericLiteral);
