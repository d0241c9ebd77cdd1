import { describe, expect, it } from "vitest";
import { ApiError, describeError, fieldErrorMap, retryAfterSeconds } from "./errors";

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

describe("rate limits and roles", () => {
  const problem = (status: number) => ({ type: "x", title: "x", status });

  it("says how long to wait after a 429, when the gateway said", () => {
    expect(describeError(new ApiError(429, problem(429), 12))).toBe("Too many requests: try again in 12 s.");
    expect(describeError(new ApiError(429, problem(429), 12), { retryIn: 0 })).toBe("Too many requests a moment ago. You can try again now.");
    expect(describeError(new ApiError(429, problem(429)))).toBe("Too many requests right now. Wait a moment and try again.");
  });

  it("explains a 403 by the caller's role", () => {
    expect(describeError(new ApiError(403, { ...problem(403), detail: "Customers may only cancel." }), { role: "customer" })).toBe(
      "Your role (customer) may not do this. Customers may only cancel.",
    );
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-15T10:00:00Z");
    expect(retryAfterSeconds(new Headers({ "Retry-After": "7" }), now)).toBe(7);
    expect(retryAfterSeconds(new Headers({ "Retry-After": "Thu, 15 Jan 2026 10:00:30 GMT" }), now)).toBe(30);
    expect(retryAfterSeconds(new Headers({ "Retry-After": "Thu, 15 Jan 2026 09:00:00 GMT" }), now)).toBeNull();
    expect(retryAfterSeconds(new Headers({ "Retry-After": "soon" }), now)).toBeNull();
    expect(retryAfterSeconds(new Headers(), now)).toBeNull();
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
