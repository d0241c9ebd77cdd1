import { describe, expect, it } from "vitest";
import { draftErrors, draftTotalCents, lineTotalCents, toOrderItems, type LineDraft } from "./lineItems";

const line = (quantity: string, unitPrice: string): LineDraft => ({ key: quantity + unitPrice, sku: " A-1 ", name: " Widget ", quantity, unitPrice });

describe("line items", () => {
  it("prices a line and the order", () => {
    expect(lineTotalCents(line("3", "1.10"))).toBe(330);
    expect(draftTotalCents([line("3", "1.10"), line("2", "0.45")])).toBe(420);
  });

  it("leaves half-typed lines out of the total", () => {
    expect(lineTotalCents(line("2", "1."))).toBe(200);
    expect(lineTotalCents(line("", "5"))).toBeNull();
    expect(draftTotalCents([line("1", "5"), line("x", "5")])).toBe(500);
  });

  it("flags text that is not a number with the API's field paths", () => {
    expect(draftErrors([line("1", "5"), line("two", "abc")])).toEqual({
      "items.1.quantity": "Enter a whole number.",
      "items.1.unit_price_cents": "Enter a price like 12.50.",
    });
  });

  it("sends trimmed text and integer cents", () => {
    expect(toOrderItems([line("2", "9.99")])).toEqual([{ sku: "A-1", name: "Widget", quantity: 2, unit_price_cents: 999 }]);
  });
});
