import { describe, expect, it } from "vitest";
import { formatMoney, parseAmountToCents } from "./money";

describe("parseAmountToCents", () => {
  it.each([
    ["12", 1200],
    ["12.5", 1250],
    ["12.50", 1250],
    ["0.29", 29],
    [" 3.07 ", 307],
    ["0", 0],
  ])("reads %j as %i cents", (text, cents) => {
    expect(parseAmountToCents(text)).toBe(cents);
  });

  it.each(["", "abc", "1.234", "-1", "1,50", "."])("refuses %j", (text) => {
    expect(parseAmountToCents(text)).toBeNull();
  });
});

describe("formatMoney", () => {
  it("formats minor units in the currency", () => {
    expect(formatMoney(123456, "USD")).toBe("$1,234.56");
    expect(formatMoney(123456, "EUR")).toBe("€1,234.56");
  });

  it("gives the amount alone while no currency is known", () => {
    expect(formatMoney(123456, null)).toBe("1,234.56");
    expect(formatMoney(5, null)).toBe("0.05");
  });
});
