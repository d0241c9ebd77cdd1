/** One currency per deployment; orders carry theirs, new ones are priced in this until created. */
export const DEFAULT_CURRENCY = "USD";

export function formatMoney(cents: number, currency = DEFAULT_CURRENCY): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents / 100);
}

/**
 * "12.5" → 1250. Parses the decimal text itself rather than multiplying a float, so 0.29 is 29
 * and never 28.999…; null when the text is not an amount with at most two decimals.
 */
export function parseAmountToCents(text: string): number | null {
  const match = /^\s*(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

export function centsToAmount(cents: number): string {
  return (cents / 100).toFixed(2);
}
