import { describe, expect, it } from "vitest";
import { ApiError, describeError, fieldErrorMap } from "./errors";

describe("describeError", () => {
  it("puts gateway failures in plain words", () => {
    expect(describeError(new ApiError(null, null))).toMatch(/cannot reach the orderflow gateway/i);
    expect(describeError(new ApiError(503, { type: "x", title: "Service Unavailable", status: 503 }, 7))).toBe(
      "A service needed for this is unavailable right now. Try again in 7 s.",
    );
    expect(describeError(new ApiError(504, { type: "x", title: "Gateway Timeout", status: 504 }))).toMatch(/took too long/);
    expect(describeError(new ApiError(500, { type: "x", title: "Internal", status: 500, detail: "Traceback…" }))).not.toMatch(/Traceback/);
  });

  it("keeps a service's own explanation of a client error", () => {
    expect(describeError(new ApiError(404, { type: "x", title: "Not Found", status: 404, detail: "No order 42." }))).toBe("No order 42.");
  });
});

describe("fieldErrorMap", () => {
  it("keys messages by field path", () => {
    const error = new ApiError(422, {
      type: "x",
      title: "Unprocessable",
      status: 422,
      errors: [
        { location: "body", field: "email", message: "not an email", code: "value_error" },
        { location: "body", field: "items.0.quantity", message: "too small", code: "greater_than_equal" },
      ],
    });
    expect(fieldErrorMap(error)).toEqual({ email: "not an email", "items.0.quantity": "too small" });
  });
});
