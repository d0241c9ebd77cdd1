import type { OrderItem } from "../api/types";
import { parseAmountToCents } from "./money";

/** A line as typed: text until it is sent, so a half-typed price never turns into a wrong number. */
export interface LineDraft {
  key: string;
  sku: string;
  name: string;
  quantity: string;
  unitPrice: string;
}

export function emptyLine(): LineDraft {
  return { key: crypto.randomUUID(), sku: "", name: "", quantity: "1", unitPrice: "" };
}

export function parseQuantity(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/** The line's amount in cents, or null while its quantity or price is not a number yet. */
export function lineTotalCents(line: LineDraft): number | null {
  const quantity = parseQuantity(line.quantity);
  const price = parseAmountToCents(line.unitPrice);
  return quantity === null || price === null ? null : quantity * price;
}

/** What the order will cost, counting the lines that can be priced (the service computes the real total). */
export function draftTotalCents(lines: readonly LineDraft[]): number {
  return lines.reduce((sum, line) => sum + (lineTotalCents(line) ?? 0), 0);
}

/**
 * Errors the browser can see before sending: text that is not a number at all. Ranges, blanks
 * and everything else are the API's to judge, with the same field paths it uses ("items.0.quantity").
 */
export function draftErrors(lines: readonly LineDraft[]): Record<string, string> {
  const errors: Record<string, string> = {};
  lines.forEach((line, index) => {
    if (parseQuantity(line.quantity) === null) errors[`items.${index}.quantity`] = "Enter a whole number.";
    if (parseAmountToCents(line.unitPrice) === null) errors[`items.${index}.unit_price_cents`] = "Enter a price like 12.50.";
  });
  return errors;
}

export function toOrderItems(lines: readonly LineDraft[]): OrderItem[] {
  return lines.map((line) => ({
    sku: line.sku.trim(),
    name: line.name.trim(),
    quantity: parseQuantity(line.quantity) ?? 0,
    unit_price_cents: parseAmountToCents(line.unitPrice) ?? 0,
  }));
}
