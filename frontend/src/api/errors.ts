import type { FieldError, Problem } from "./types";

/** A failed call to the gateway: an HTTP error with its problem+json body, or no answer at all. */
export class ApiError extends Error {
  readonly status: number | null;
  readonly problem: Problem | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number | null, problem: Problem | null, retryAfterSeconds: number | null = null) {
    super(problem?.detail ?? problem?.title ?? (status === null ? "No answer from the gateway" : `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

/**
 * The sentence a person reads when a call fails. Gateway errors get plain words; a service's
 * own answer (404, 409, ...) keeps its detail because that says what went wrong.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something unexpected went wrong. Please try again.";
  const detail = error.problem?.detail;
  switch (error.status) {
    case null:
      return "Cannot reach the OrderFlow gateway. Check your connection, or that the gateway is running.";
    case 404:
      return detail ?? "This item does not exist, or it was removed.";
    case 413:
      return "That request is too large for the gateway to accept.";
    case 429:
      return "Too many requests right now. Wait a moment and try again.";
    case 502:
      return "A service behind the gateway gave a broken answer. Try again in a moment.";
    case 503: {
      const wait = error.retryAfterSeconds ? ` Try again in ${error.retryAfterSeconds} s.` : " Try again shortly.";
      return `A service needed for this is unavailable right now.${wait}`;
    }
    case 504:
      return "A service behind the gateway took too long to answer. Try again in a moment.";
    default:
      if (error.status >= 500) return "The server ran into a problem. Try again in a moment.";
      return detail ?? error.problem?.title ?? `The request failed (HTTP ${error.status}).`;
  }
}

/** Field errors keyed by field path ("email", "items.0.quantity"); the first message wins. */
export function fieldErrorMap(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const map: Record<string, string> = {};
  for (const { field, message } of error.fieldErrors) map[field] ??= message;
  return map;
}
