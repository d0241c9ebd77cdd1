import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import type { Me } from "../api/auth";
import { can } from "../auth/permissions";
import { useUser } from "../auth/useSession";
import { UserMenu } from "./UserMenu";

interface NavItem {
  to: string;
  label: string;
  end: boolean;
}

/** Only what the signed-in role may open: a customer's own page, or everything staff sees, and the Lab for admins. */
function linksFor(user: Me): NavItem[] {
  const links: NavItem[] = [];
  if (can(user, "dashboard")) links.push({ to: "/", label: "Dashboard", end: true });
  if (can(user, "customers:list")) links.push({ to: "/customers", label: "Customers", end: false });
  if (can(user, "orders:list")) links.push({ to: "/orders", label: "Orders", end: false });
  else if (user.customer_id) links.push({ to: `/customers/${user.customer_id}`, label: "My orders", end: true });
  if (can(user, "lab")) links.push({ to: "/lab", label: "Lab", end: false });
  return links;
}

export function Layout() {
  const main = useMoveFocusOnNavigation();
  const user = useUser();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="container app-header__inner">
          <NavLink to="/" className="brand">
            OrderFlow
          </NavLink>
          <nav aria-label="Main">
            <ul className="nav">
              {linksFor(user).map(({ to, label, end }) => (
                <li key={to}>
                  <NavLink to={to} end={end} className="nav__link">
                    {label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <UserMenu />
        </div>
      </header>
      <main id="main" className="container" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </>
  );
}

/**
 * A client-side navigation does not move focus the way a page load does: without this, a screen
 * reader stays on the link just followed. The first render is left alone.
 */
function useMoveFocusOnNavigation() {
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return main;
}
