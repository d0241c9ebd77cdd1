import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";

const LINKS = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/customers", label: "Customers", end: false },
  { to: "/orders", label: "Orders", end: false },
];

export function Layout() {
  const main = useMoveFocusOnNavigation();
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
              {LINKS.map(({ to, label, end }) => (
                <li key={to}>
                  <NavLink to={to} end={end} className="nav__link">
                    {label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
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
