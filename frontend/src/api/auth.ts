import { retryAfterSeconds } from "./errors";

/**
 * The identity calls under /api/auth. The token endpoint is OAuth 2.0 (RFC 6749): its body is
 * form-encoded, the one body that is not JSON, and its errors are RFC 6749 §5.2 objects rather
 * than problem+json, so these calls do not go through the typed JSON client.
 *
 * The browser is the public client `orderflow-web`: the refresh token never reaches this code.
 * The identity service sets it as an HttpOnly cookie scoped to /api/auth, and a refresh grant
 * without a `refresh_token` field reads it from there.
 */
export const CLIENT_ID = "orderflow-web";

export const ROLES = ["admin", "staff", "customer"] as const;
export type Role = (typeof ROLES)[number];

/** 200 from POST /api/auth/token. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  /** Seconds until the access token expires. */
  expires_in: number;
}

/** GET /api/auth/me: the caller, as the identity service knows it. */
export interface Me {
  sub: string;
  email: string;
  name: string;
  roles: string[];
  customer_id: string | null;
}

export type Grant = { grant_type: "password"; username: string; password: string } | { grant_type: "refresh_token" };

/** A token request that failed: an RFC 6749 error (`invalid_grant`, ...), or no answer (status null). */
export class TokenError extends Error {
  readonly status: number | null;
  readonly error: string | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number | null, error: string | null, description: string | null, retryAfter: number | null = null) {
    super(description ?? error ?? (status === null ? "No answer from the gateway" : `HTTP ${status}`));
    this.name = "TokenError";
    this.status = status;
    this.error = error;
    this.retryAfterSeconds = retryAfter;
  }

  /** Worth asking again later (no answer, a limit, a server fault), as opposed to a refused grant. */
  get transient(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

const TIMEOUT_MS = 10_000;

export async function requestToken(grant: Grant): Promise<TokenResponse> {
  const response = await send("/api/auth/token", {
    method: "POST",
    body: new URLSearchParams({ ...grant, client_id: CLIENT_ID }),
  });
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && isTokenResponse(body)) return { access_token: body.access_token, token_type: body.token_type, expires_in: body.expires_in };
  const { error, error_description } = (body ?? {}) as { error?: unknown; error_description?: unknown };
  throw new TokenError(
    response.status,
    typeof error === "string" ? error : null,
    typeof error_description === "string" ? error_description : null,
    retryAfterSeconds(response.headers),
  );
}

export async function fetchMe(accessToken: string): Promise<Me> {
  const response = await send("/api/auth/me", { headers: { Authorization: `Bearer ${accessToken}` } });
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && isMe(body)) return body;
  throw new TokenError(response.status, null, "The identity service did not say who is signed in.");
}

/** Revokes the refresh token (the cookie) and clears it; 204 whether or not it was still valid. */
export async function revokeRefreshToken(accessToken: string | null): Promise<void> {
  await send("/api/auth/logout", {
    method: "POST",
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
}

/** What the login form says when signing in fails: plainly, and never whether the account exists. */
export function describeSignInError(error: unknown): string {
  if (!(error instanceof TokenError)) return "Something unexpected went wrong. Please try again.";
  if (error.status === null) return "Cannot reach the OrderFlow gateway. Check your connection, or that the gateway is running.";
  if (error.status === 429) {
    const wait = error.retryAfterSeconds ? `try again in ${error.retryAfterSeconds} s` : "try again in a minute";
    return `Too many failed attempts: ${wait}.`;
  }
  if (error.error === "invalid_grant") return "Wrong email or password.";
  if (error.status >= 500) return "Signing in is not working right now. Try again in a moment.";
  return error.message;
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    // same-origin: the refresh cookie goes with /api/auth requests, and to nowhere else.
    return await globalThis.fetch(new URL(path, globalThis.location?.origin), {
      ...init,
      credentials: "same-origin",
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new TokenError(null, null, null);
  }
}

function isTokenResponse(body: unknown): body is TokenResponse {
  const token = body as Partial<TokenResponse> | null;
  return typeof token?.access_token === "string" && typeof token.expires_in === "number";
}

function isMe(body: unknown): body is Me {
  const me = body as Partial<Me> | null;
  return typeof me?.sub === "string" && Array.isArray(me.roles);
}
