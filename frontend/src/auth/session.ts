import { fetchMe, requestToken, revokeRefreshToken, TokenError, type Grant, type Me, type TokenResponse } from "../api/auth";

/**
 * The tab's sign-in session. The access token lives in this object's memory only (never in
 * localStorage, sessionStorage or a readable cookie), so a script injected later cannot find it
 * and a closed tab forgets it. The refresh token is an HttpOnly cookie this code never sees; a
 * reload gets a new access token from it (`restore`). See docs/adr/0025.
 *
 * Framework-free on purpose: the API client asks it for a token on every call, React subscribes
 * to its state with useSyncExternalStore, and its tests need no DOM.
 */

/** Why there is no session: never had one, signed out here or in another tab, ended by the server, gateway unreachable. */
export type SignedOutReason = "none" | "signed-out" | "elsewhere" | "expired" | "unreachable";

export type SessionState =
  | { status: "starting" }
  | { status: "signed-out"; reason: SignedOutReason }
  | { status: "signed-in"; user: Me };

/** A token this close to its expiry is renewed before it is used, not after the API refuses it. */
const NEAR_EXPIRY_MS = 5_000;
/** After a renewal that got no answer, ask again this soon (while the current token lasts). */
const RETRY_RENEWAL_MS = 15_000;
/** Serialises refresh grants across the origin's tabs: two tabs presenting one refresh token at
 * once would look like a stolen token being reused, and the server would end both sessions. */
const RENEWAL_LOCK = "orderflow-token-renewal";
const CHANNEL = "orderflow-session";

type Message = { type: "signed-out" } | { type: "signed-in" };

/** Renews at 3/4 of a short token's life, a minute before the end of a longer one. */
export function renewalDelayMs(expiresInSeconds: number): number {
  const lead = Math.min(60, expiresInSeconds / 4);
  return Math.max(0, (expiresInSeconds - lead) * 1000);
}

export class Session {
  private state: SessionState = { status: "starting" };
  private readonly listeners = new Set<() => void>();
  private access: { token: string; expiresAt: number } | null = null;
  private renewing: Promise<string | null> | null = null;
  private restoring: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private channel: BroadcastChannel | null = null;

  readonly getState = (): SessionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The signed-in caller, or null. */
  get user(): Me | null {
    return this.state.status === "signed-in" ? this.state.user : null;
  }

  /** On start: a session survives a reload through the refresh cookie. Runs once however often it is called. */
  restore(): Promise<void> {
    this.listenToOtherTabs();
    if (this.state.status === "signed-in") return Promise.resolve();
    this.restoring ??= this.begin({ grant_type: "refresh_token" }).then(
      () => undefined,
      (error: unknown) => this.end(error instanceof TokenError && error.transient ? "unreachable" : "none"),
    );
    return this.restoring;
  }

  /** The login form's password grant; throws a TokenError the form can show. */
  async signIn(username: string, password: string): Promise<void> {
    this.listenToOtherTabs();
    await this.begin({ grant_type: "password", username, password });
    this.broadcast({ type: "signed-in" });
  }

  /** Revokes the refresh token on the server (which clears its cookie), then forgets the access token. */
  async signOut(): Promise<void> {
    const token = this.access?.token ?? null;
    try {
      await revokeRefreshToken(token);
    } catch {
      // No answer: the cookie may outlive this, but the tab forgets the session all the same.
    }
    this.end("signed-out");
    this.broadcast({ type: "signed-out" });
  }

  /**
   * A new access token from the refresh cookie. Single-flight: every caller that asks while one
   * renewal is on its way shares it, so a burst of 401s makes one refresh grant, not many.
   */
  renew(): Promise<string | null> {
    this.renewing ??= this.refresh().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  /**
   * fetch with `Authorization: Bearer`. A 401 renews the token once and sends the request again;
   * if renewing fails the session ends as "expired", and the route guard sends the person to the
   * login page (and back here afterwards).
   */
  readonly fetch = async (request: Request): Promise<Response> => {
    const token = await this.validToken();
    if (token === null) return globalThis.fetch(request);
    const again = request.clone();
    const response = await globalThis.fetch(withBearer(request, token));
    if (response.status !== 401 || this.state.status !== "signed-in") return response;
    const renewed = this.access && this.access.token !== token ? this.access.token : await this.renew();
    if (renewed === null) return response;
    const retried = await globalThis.fetch(withBearer(again, renewed));
    // Refused even with a token minted a moment ago: the session is not one this API accepts.
    if (retried.status === 401) this.end("expired");
    return retried;
  };

  /** Forgets everything without a request: each test starts from a fresh tab. */
  reset(state: SessionState = { status: "starting" }): void {
    clearTimeout(this.timer);
    this.access = null;
    this.renewing = null;
    this.restoring = null;
    this.channel?.close();
    this.channel = null;
    this.set(state);
  }

  /** Starts a session from tokens already in hand; how tests begin signed in. */
  adopt(tokens: TokenResponse, user: Me): void {
    this.keep(tokens);
    this.set({ status: "signed-in", user });
  }

  private async begin(grant: Grant): Promise<void> {
    const tokens = await withRenewalLock(() => requestToken(grant));
    const user = await fetchMe(tokens.access_token);
    this.adopt(tokens, user);
  }

  private async refresh(): Promise<string | null> {
    try {
      const tokens = await withRenewalLock(() => requestToken({ grant_type: "refresh_token" }));
      if (this.state.status !== "signed-in") return null;
      this.keep(tokens);
      return tokens.access_token;
    } catch (error) {
      const current = this.access;
      if (error instanceof TokenError && error.transient && current && current.expiresAt > Date.now()) {
        this.schedule(RETRY_RENEWAL_MS);
        return current.token;
      }
      this.end("expired");
      return null;
    }
  }

  private async validToken(): Promise<string | null> {
    if (this.state.status !== "signed-in" || !this.access) return null;
    if (this.access.expiresAt - Date.now() > NEAR_EXPIRY_MS) return this.access.token;
    return this.renew();
  }

  private keep(tokens: TokenResponse): void {
    this.access = { token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
    this.schedule(renewalDelayMs(tokens.expires_in));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), delayMs);
  }

  private end(reason: SignedOutReason): void {
    clearTimeout(this.timer);
    this.access = null;
    if (this.state.status === "signed-out") return;
    this.set({ status: "signed-out", reason });
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  /** Signing out in one tab ends the session in the others; signing in lets them pick it up. */
  private listenToOtherTabs(): void {
    if (this.channel || typeof BroadcastChannel !== "function") return;
    this.channel = new BroadcastChannel(CHANNEL);
    // Node's BroadcastChannel (under the test runner) would otherwise keep the process alive.
    (this.channel as { unref?: () => void }).unref?.();
    this.channel.onmessage = (event: MessageEvent<Message>) => {
      if (event.data.type === "signed-out") this.end("elsewhere");
      else if (event.data.type === "signed-in" && this.state.status === "signed-out") {
        this.restoring = null;
        void this.restore();
      }
    };
  }

  private broadcast(message: Message): void {
    this.channel?.postMessage(message);
  }
}

function withBearer(request: Request, token: string): Request {
  request.headers.set("Authorization", `Bearer ${token}`);
  return request;
}

async function withRenewalLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return work();
  let result: T | undefined;
  await locks.request(RENEWAL_LOCK, async () => {
    result = await work();
  });
  return result as T;
}

/** The one session of this tab. */
export const session = new Session();
