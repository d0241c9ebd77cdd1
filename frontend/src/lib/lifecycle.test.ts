import { describe, expect, it } from "vitest";
import { allowedTransitions } from "./lifecycle";

describe("allowedTransitions", () => {
  it("follows PENDING → CONFIRMED → SHIPPED → DELIVERED, cancelling only before shipping", () => {
    expect(allowedTransitions("PENDING")).toEqual(["CONFIRMED", "CANCELLED"]);
    expect(allowedTransitions("CONFIRMED")).toEqual(["SHIPPED", "CANCELLED"]);
    expect(allowedTransitions("SHIPPED")).toEqual(["DELIVERED"]);
    expect(allowedTransitions("DELIVERED")).toEqual([]);
    expect(allowedTransitions("CANCELLED")).toEqual([]);
  });
});
