import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { session } from "../auth/session";
import { aDashboard, anOrder, aProblem, PROBLEM_HEADERS, tokenFor } from "../test/fixtures";
import { serveIdentity } from "../test/identity";
import { renderApp } from "../test/render";
import { server } from "../test/server";

const EMPTY_PAGE = { items: [], next_cursor: null, unavailable: [] };

/** The order list, for the newest token the identity mock has minted only. */
function serveOrders(identity: ReturnType<typeof serveIdentity>) {
  const seen: (string | null)[] = [];
  server.use(
    http.get("*/api/orders", ({ request }) => {
      const auth = request.headers.get("Authorization");
      seen.push(auth);
      if (auth !== `Bearer ${tokenFor("staff", identity.generation)}`) {
        return HttpResponse.json(aProblem(401, { title: "Unauthorized" }), { status: 401, headers: { ...PROBLEM_HEADERS, "WWW-Authenticate": 'Bearer error="invalid_token"' } });
      }
      return HttpResponse.json({ ...EMPTY_PAGE, items: [anOrder()] });
    }),
  );
  return seen;
}

async function signIn(user: ReturnType<typeof renderApp>["user"], email: string, password: string) {
  await user.type(await screen.findByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("the login page", () => {
  it("says plainly when the email or password is wrong, and lets the person try again", async () => {
    serveIdentity();
    const { user } = renderApp("/login", { as: null });
    await signIn(user, "staff@example.com", "not-the-password");

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(session.getState().status).toBe("signed-out");
  });

  it("says how long to wait after too many failed attempts", async () => {
    server.use(
      http.post("*/api/auth/token", () =>
        // What the gateway answers past the failed-sign-in budget: a problem, not an OAuth error.
        HttpResponse.json(
          {
            type: "urn:orderflow:problem:rate-limited",
            title: "Too many requests",
            status: 429,
            detail: "Too many failed sign-in attempts. Try again in 42 s.",
            "violated-policies": ["login"],
          },
          { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "42" } },
        ),
      ),
    );
    const { user } = renderApp("/login", { as: null });
    await signIn(user, "staff@example.com", "again");
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many failed attempts: try again in 42 s.");
  });

  it("signs in and lands on the home page, naming who is signed in", async () => {
    serveIdentity();
    server.use(http.get("*/api/dashboard", () => HttpResponse.json(aDashboard())));
    const { user, router } = renderApp("/login", { as: null });
    await signIn(user, "staff@example.com", "orderflow-staff");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/");
    await user.click(screen.getByRole("button", { name: /Signed in as Sam Staff/ }));
    expect(screen.getByText("staff@example.com")).toBeVisible();
    expect(screen.getByText("Staff", { selector: "dd" })).toBeVisible();
  });
});

describe("a reload", () => {
  it("keeps the session: the page opens signed in, from the refresh cookie", async () => {
    const identity = serveIdentity({ cookie: "staff" });
    serveOrders(identity);
    const { router } = renderApp("/orders", { as: null });

    expect(await screen.findByRole("heading", { level: 1, name: "Orders" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/orders");
    expect(identity.calls).toEqual(["refresh_token"]);
  });

  it("without a session goes to the login page, and after signing in back to the page asked for", async () => {
    const identity = serveIdentity({ cookie: null });
    serveOrders(identity);
    const { user, router } = renderApp("/orders?status=PENDING", { as: null });

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    await signIn(user, "staff@example.com", "orderflow-staff");

    expect(await screen.findByRole("heading", { level: 1, name: "Orders" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/orders");
    expect(router.state.location.search).toBe("?status=PENDING");
  });
});

describe("a 401 from the API", () => {
  it("renews the token once and shows the page as if nothing happened", async () => {
    const identity = serveIdentity({ cookie: "staff" });
    const seen = serveOrders(identity);
    const { user, router } = renderApp("/orders", { as: null });
    await screen.findByRole("table", { name: "Orders" });
    identity.generation += 1; // the gateway stops taking the token the tab holds

    await user.selectOptions(screen.getByLabelText("Status"), "PENDING");
    expect(await screen.findByRole("table", { name: "Pending orders" })).toBeInTheDocument();
    expect(identity.calls).toEqual(["refresh_token", "refresh_token"]);
    expect(seen.slice(-2)).toEqual([`Bearer ${tokenFor("staff", 1)}`, `Bearer ${tokenFor("staff", 3)}`]);
    expect(router.state.location.pathname).toBe("/orders");
  });

  it("sends the person to log in when renewing fails, and back to the page afterwards", async () => {
    const identity = serveIdentity({ cookie: "staff" });
    serveOrders(identity);
    const { user, router } = renderApp("/orders?status=PENDING", { as: null });
    await screen.findByRole("table", { name: "Pending orders" });

    // The refresh token was revoked on the server and the access token is no longer accepted.
    identity.cookie = null;
    identity.generation += 1;
    await user.selectOptions(screen.getByLabelText("Status"), "CONFIRMED");

    expect(await screen.findByText("Your session has ended. Sign in again to continue where you were.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    await signIn(user, "staff@example.com", "orderflow-staff");

    expect(await screen.findByRole("table", { name: "Confirmed orders" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/orders");
    expect(router.state.location.search).toBe("?status=CONFIRMED");
  });
});

describe("a 403 from the API", () => {
  it("explains that the role may not do it", async () => {
    server.use(
      http.get("*/api/orders/:id", () => HttpResponse.json(anOrder())),
      http.patch("*/api/orders/:id", () =>
        HttpResponse.json(aProblem(403, { title: "Forbidden", detail: "Only staff may confirm an order." }), { status: 403, headers: PROBLEM_HEADERS }),
      ),
    );
    const { user } = renderApp(`/orders/${anOrder().id}`, { as: "staff" });
    await user.click(await screen.findByRole("button", { name: "Confirm" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Your role (staff) may not do this. Only staff may confirm an order.");
  });
});

describe("signing out", () => {
  it("revokes the session, empties the cache and goes to the login page; the pages need a new sign-in", async () => {
    const identity = serveIdentity({ cookie: "staff" });
    serveOrders(identity);
    const { user, router, queryClient } = renderApp("/orders", { as: null });
    await screen.findByRole("table", { name: "Orders" });
    expect(queryClient.getQueryCache().getAll().length).toBeGreaterThan(0);

    await user.click(screen.getByRole("button", { name: /Signed in as/ }));
    await user.click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByText("You have signed out.")).toBeInTheDocument();
    expect(identity.calls).toEqual(["refresh_token", "logout"]);
    expect(queryClient.getQueryCache().getAll()).toEqual([]);
    // Signing out is a choice: the next sign-in starts from the home page, not from here.
    expect(router.state.location.state).toEqual({});

    await router.navigate("/orders");
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
  });

  it("closes the menu with Escape and gives focus back to its button", async () => {
    serveIdentity();
    server.use(http.get("*/api/dashboard", () => HttpResponse.json(aDashboard())));
    const { user } = renderApp("/", { as: "admin" });
    const toggle = await screen.findByRole("button", { name: /Signed in as Grace Admin/ });
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const panel = document.getElementById(toggle.getAttribute("aria-controls")!)!;
    expect(within(panel).getByText("admin@example.com")).toBeVisible();

    await user.keyboard("{Escape}");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(toggle).toHaveFocus();
  });
});
