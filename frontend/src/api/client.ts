import createClient from "openapi-fetch";
import { session } from "../auth/session";
import { ApiError, retryAfterSeconds } from "./errors";
import type { paths } from "./schema";
import type { Problem } from "./types";

/**
 * The one typed client of the gateway. Paths are relative (/api/...): in the browser they go to
 * the page's own origin, where Vite (or whatever serves the app) forwards them to the gateway.
 * Every call carries the session's access token, and a 401 renews it once (see auth/session.ts).
 */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request) => session.fetch(request),
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Turns an openapi-fetch result into its data, or throws an ApiError that says what failed. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(null, null);
  }
  const { data, error, response } = result;
  // 204 (a DELETE) has no body by definition; any other success must have one.
  if (response.ok && (data !== undefined || response.status === 204)) return { data: data as T, response };
  throw new ApiError(response.status, asProblem(error, response), retryAfterSeconds(response.headers));
}

function asProblem(body: unknown, response: Response): Problem {
  if (body && typeof body === "object" && "status" in body && "title" in body) return body as Problem;
  return { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status };
}
