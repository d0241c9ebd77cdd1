/**
 * Minor units in the currency the API named (an order's, the dashboard's, /api/config's): the UI
 * never assumes one. Without a currency (not known yet) the amount alone, with its two decimals.
 */
export function formatMoney(cents: number, currency: string | null): string {
  const options: Intl.NumberFormatOptions = currency
    ? { style: "currency", currency }
    : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return new Intl.NumberFormat("en-US", options).format(cents / 100);
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
