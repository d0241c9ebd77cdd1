import type { FieldError, Problem } from "./types";

/** A failed call to the gateway: an HTTP error with its problem+json body, or no answer at all. */
export class ApiError extends Error {
  readonly status: number | null;
  readonly problem: Problem | null;
  readonly retryAfterSeconds: number | null;
  /** When the answer came (epoch ms): Retry-After counts from here. */
  readonly receivedAt: number;

  constructor(status: number | null, problem: Problem | null, retryAfterSeconds: number | null = null) {
    super(problem?.detail ?? problem?.title ?? (status === null ? "No answer from the gateway" : `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
    this.receivedAt = Date.now();
  }

  /** When the gateway said it is worth asking again (epoch ms), or null when it did not say. */
  get retryAt(): number | null {
    return this.retryAfterSeconds === null ? null : this.receivedAt + this.retryAfterSeconds * 1_000;
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

interface Context {
  /** The signed-in role, to say whose rights a 403 is about. */
  role?: string | null;
  /** Seconds still to wait, when the caller counts Retry-After down; 0 once it has passed. */
  retryIn?: number | null;
}

/**
 * The sentence a person reads when a call fails. Gateway errors get plain words; a service's
 * own answer (404, 409, ...) keeps its detail because that says what went wrong.
 */
export function describeError(error: unknown, { role, retryIn }: Context = {}): string {
  if (!(error instanceof ApiError)) return "Something unexpected went wrong. Please try again.";
  const detail = error.problem?.detail;
  const wait = retryIn === undefined || retryIn === null ? error.retryAfterSeconds : retryIn;
  switch (error.status) {
    case null:
      return "Cannot reach the OrderFlow gateway. Check your connection, or that the gateway is running.";
    case 401:
      return "Your session has ended. Sign in again to continue.";
    case 403: {
      const who = role ? `Your role (${role})` : "Your role";
      return `${who} may not do this.${detail ? ` ${detail}` : ""}`;
    }
    case 404:
      return detail ?? "This item does not exist, or it was removed.";
    case 413:
      return "That request is too large for the gateway to accept.";
    case 429:
      if (wait === 0) return "Too many requests a moment ago. You can try again now.";
      return wait ? `Too many requests: try again in ${wait} s.` : "Too many requests right now. Wait a moment and try again.";
    case 502:
      return "A service behind the gateway gave a broken answer. Try again in a moment.";
    case 503:
      return `A service needed for this is unavailable right now.${wait ? ` Try again in ${wait} s.` : " Try again shortly."}`;
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

/** Retry-After in whole seconds, from delta-seconds or an HTTP date (RFC 9110 §10.2.3); null if absent or past. */
export function retryAfterSeconds(headers: Headers, now: number = Date.now()): number | null {
  const value = headers.get("Retry-After")?.trim();
  if (!value) return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : Math.ceil((Date.parse(value) - now) / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}
