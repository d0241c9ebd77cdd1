import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tokenFor } from "../test/fixtures";
import { serveIdentity } from "../test/identity";
import { server } from "../test/server";
import { renewalDelayMs, Session } from "./session";

const API = "http://localhost:3000/api/orders";
const sessions: Session[] = [];

/** A session of its own, as a second tab would have. */
function newSession(): Session {
  const created = new Session();
  sessions.push(created);
  return created;
}

afterEach(() => {
  for (const each of sessions.splice(0)) each.reset();
});

/** The gateway accepts only the newest token the identity mock minted; it records what it was sent. */
function serveApi(identity: ReturnType<typeof serveIdentity>, role: "staff" = "staff") {
  const seen: (string | null)[] = [];
  server.use(
    http.get("*/api/orders", ({ request }) => {
      const auth = request.headers.get("Authorization");
      seen.push(auth);
      if (auth !== `Bearer ${tokenFor(role, identity.generation)}`) return new HttpResponse(null, { status: 401 });
      return HttpResponse.json({ items: [], next_cursor: null });
    }),
  );
  return seen;
}

describe("signing in", () => {
  it("sends the password grant form-encoded as the public client, then asks who signed in", async () => {
    const identity = serveIdentity();
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");

    expect(identity.forms).toEqual([
      { grant_type: "password", username: "staff@example.com", password: "orderflow-staff", client_id: "orderflow-web" },
    ]);
    expect(session.getState()).toEqual({ status: "signed-in", user: expect.objectContaining({ email: "staff@example.com" }) });
  });

  it("refuses a wrong password with the OAuth error, and stays signed out", async () => {
    serveIdentity();
    const session = newSession();
    await expect(session.signIn("staff@example.com", "guess")).rejects.toMatchObject({ status: 400, error: "invalid_grant" });
    expect(session.getState().status).toBe("starting");
  });

  it("puts the access token on every API call", async () => {
    const identity = serveIdentity();
    const seen = serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");

    const response = await session.fetch(new Request(API));
    expect(response.status).toBe(200);
    expect(seen).toEqual([`Bearer ${tokenFor("staff", 1)}`]);
  });
});

describe("a reload", () => {
  it("restores the session from the refresh cookie, sent same-origin, with no refresh token in the form", async () => {
    const identity = serveIdentity({ cookie: "staff" });
    const credentials: RequestCredentials[] = [];
    server.events.on("request:start", ({ request }) => credentials.push(request.credentials));
    const session = newSession();
    await Promise.all([session.restore(), session.restore()]);
    server.events.removeAllListeners();

    expect(identity.forms).toEqual([{ grant_type: "refresh_token", client_id: "orderflow-web" }]);
    expect(credentials[0]).toBe("same-origin");
    expect(session.user?.email).toBe("staff@example.com");
  });

  it("without a cookie, ends signed out with nothing to explain", async () => {
    serveIdentity({ cookie: null });
    const session = newSession();
    await session.restore();
    expect(session.getState()).toEqual({ status: "signed-out", reason: "none" });
  });

  it("with the gateway unreachable, says so", async () => {
    server.use(http.post("*/api/auth/token", () => HttpResponse.error()));
    const session = newSession();
    await session.restore();
    expect(session.getState()).toEqual({ status: "signed-out", reason: "unreachable" });
  });
});

describe("renewal", () => {
  it("is scheduled a minute before a long token expires, and at 3/4 of a short one's life", () => {
    expect(renewalDelayMs(600)).toBe(540_000);
    expect(renewalDelayMs(40)).toBe(30_000);
  });

  it("renews the token before it expires, without waiting for a 401", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const identity = serveIdentity({ expiresIn: 600 });
    const seen = serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");

    await vi.advanceTimersByTimeAsync(539_000);
    expect(identity.calls).toEqual(["password"]);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(identity.calls).toEqual(["password", "refresh_token"]));

    await session.fetch(new Request(API));
    expect(seen).toEqual([`Bearer ${tokenFor("staff", 2)}`]);
  });

  it("renews a token about to expire before using it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const identity = serveIdentity({ expiresIn: 600 });
    const seen = serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");

    vi.setSystemTime(Date.now() + 597_000);
    await session.fetch(new Request(API));
    expect(identity.calls).toEqual(["password", "refresh_token"]);
    expect(seen).toEqual([`Bearer ${tokenFor("staff", 2)}`]);
  });

  it("answers a burst of 401s with one refresh grant, and sends each request again with the new token", async () => {
    const identity = serveIdentity();
    const seen = serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");
    identity.generation += 1; // the server no longer takes the token the session holds

    const responses = await Promise.all([1, 2, 3].map(() => session.fetch(new Request(API))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(identity.calls).toEqual(["password", "refresh_token"]);
    expect(seen.slice(3)).toEqual(Array(3).fill(`Bearer ${tokenFor("staff", 3)}`));
  });

  it("sends a request's body again after the renewal", async () => {
    const identity = serveIdentity();
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");
    identity.generation += 1;
    const bodies: unknown[] = [];
    server.use(
      http.post("*/api/orders", async ({ request }) => {
        bodies.push(await request.json());
        const fresh = request.headers.get("Authorization") === `Bearer ${tokenFor("staff", identity.generation)}`;
        return fresh ? HttpResponse.json({}, { status: 201 }) : new HttpResponse(null, { status: 401 });
      }),
    );
    const body = JSON.stringify({ customer_id: "c", items: [] });
    const response = await session.fetch(new Request(API, { method: "POST", body, headers: { "Content-Type": "application/json" } }));

    expect(response.status).toBe(201);
    expect(bodies).toEqual([JSON.parse(body), JSON.parse(body)]);
  });

  it("ends the session as expired when the refresh token is refused", async () => {
    const identity = serveIdentity();
    serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");
    identity.generation += 1;
    identity.cookie = null; // revoked on the server

    const response = await session.fetch(new Request(API));
    expect(response.status).toBe(401);
    expect(session.getState()).toEqual({ status: "signed-out", reason: "expired" });
  });

  it("keeps a still-valid token when a renewal gets no answer", async () => {
    const identity = serveIdentity();
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");
    server.use(http.post("*/api/auth/token", () => HttpResponse.error()));

    expect(await session.renew()).toBe(tokenFor("staff", identity.generation));
    expect(session.getState().status).toBe("signed-in");
  });
});

describe("signing out", () => {
  it("revokes the refresh token and forgets the access token", async () => {
    const identity = serveIdentity();
    const seen = serveApi(identity);
    const session = newSession();
    await session.signIn("staff@example.com", "orderflow-staff");
    await session.signOut();

    expect(identity.calls).toEqual(["password", "logout"]);
    expect(session.getState()).toEqual({ status: "signed-out", reason: "signed-out" });
    await session.fetch(new Request(API));
    expect(seen).toEqual([null]);
  });

  it("in one tab ends the session in the others", async () => {
    serveIdentity({ cookie: "staff" });
    const here = newSession();
    const there = newSession();
    await here.restore();
    await there.restore();
    await here.signOut();

    await vi.waitFor(() => expect(there.getState()).toEqual({ status: "signed-out", reason: "elsewhere" }));
  });
});
