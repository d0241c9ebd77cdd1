import { http, HttpResponse } from "msw";
import type { Role } from "../api/auth";
import { aUser, tokenFor } from "./fixtures";
import { server } from "./server";

const PASSWORDS: Record<string, Role> = {
  "admin@example.com:orderflow-admin": "admin",
  "staff@example.com:orderflow-staff": "staff",
  "ada@example.com:orderflow-customer": "customer",
};

interface IdentityOptions {
  /** Who the refresh cookie belongs to; null: there is no cookie (never signed in, or signed out). */
  cookie?: Role | null;
  /** Seconds each access token lives. */
  expiresIn?: number;
}

/**
 * The identity routes behind the mocked gateway: the password and refresh grants, /me and
 * logout, holding the refresh "cookie" as the browser would. Each grant mints the next
 * generation of the role's token; `calls` records the grants in order.
 */
export function serveIdentity({ cookie = null, expiresIn = 600 }: IdentityOptions = {}) {
  const state = { cookie, generation: 0, calls: [] as string[], forms: [] as Record<string, string>[] };
  const issue = (role: Role) => {
    state.cookie = role;
    state.generation += 1;
    return HttpResponse.json(
      { access_token: tokenFor(role, state.generation), token_type: "Bearer", expires_in: expiresIn },
      { headers: { "Cache-Control": "no-store" } },
    );
  };
  server.use(
    http.post("*/api/auth/token", async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      state.forms.push(form);
      state.calls.push(form.grant_type ?? "");
      if (form.client_id !== "orderflow-web") return HttpResponse.json({ error: "invalid_client" }, { status: 401 });
      if (form.grant_type === "password") {
        const role = PASSWORDS[`${form.username}:${form.password}`];
        return role ? issue(role) : HttpResponse.json({ error: "invalid_grant", error_description: "Invalid credentials" }, { status: 400 });
      }
      if (form.grant_type === "refresh_token" && state.cookie) return issue(state.cookie);
      return HttpResponse.json({ error: "invalid_grant", error_description: "No refresh token" }, { status: 400 });
    }),
    http.get("*/api/auth/me", ({ request }) => {
      const role = state.cookie;
      const token = request.headers.get("Authorization");
      if (!role || token !== `Bearer ${tokenFor(role, state.generation)}`) return new HttpResponse(null, { status: 401 });
      return HttpResponse.json(aUser(role));
    }),
    http.post("*/api/auth/logout", () => {
      state.calls.push("logout");
      state.cookie = null;
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return state;
}
