import { NavLink, Outlet } from "react-router";

const LINKS = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/customers", label: "Customers", end: false },
  { to: "/orders", label: "Orders", end: false },
];

export function Layout() {
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
      <main id="main" className="container" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
