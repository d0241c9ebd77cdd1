import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import type { Role } from "../api/auth";
import { createQueryClient } from "../api/queryClient";
import { session } from "../auth/session";
import { routes } from "../routes";
import { aUser, tokenFor } from "./fixtures";

interface RenderOptions {
  /** Signed in with this role (staff unless told); null starts signed out, restoring from the cookie as a reload does. */
  as?: Role | null;
}

/** Renders the whole app (real routes, real client, real session) at `path`, against the msw gateway. */
export function renderApp(path: string, { as = "staff" }: RenderOptions = {}) {
  if (as) session.adopt({ access_token: tokenFor(as), token_type: "Bearer", expires_in: 600 }, aUser(as));
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  return { user, router, queryClient, ...render(<QueryClientProvider client={queryClient}><RouterProvider router={router} /></QueryClientProvider>) };
}
