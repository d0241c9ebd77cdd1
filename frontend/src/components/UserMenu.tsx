import { useEffect, useId, useRef, useState } from "react";
import { mainRole, roleLabel } from "../auth/permissions";
import { session } from "../auth/session";
import { useUser } from "../auth/useSession";

/** Who is signed in (from /api/auth/me), and the way out. A disclosure: a button that opens a panel. */
export function UserMenu() {
  const user = useUser();
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const role = mainRole(user);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener("mousedown", closeOutside);
    document.addEventListener("keydown", closeOnEscape);
    return () => {
      document.removeEventListener("mousedown", closeOutside);
      document.removeEventListener("keydown", closeOnEscape);
    };
  }, [open]);

  function signOut() {
    setLeaving(true);
    // The route guard takes the person to the login page once the session has ended.
    void session.signOut();
  }

  return (
    <div className="user-menu" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="user-menu__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Signed in as ${user.name}, ${roleLabel(role)}`}
        onClick={() => setOpen((value) => !value)}
      >
        {user.name}
        <span className="user-menu__role">{roleLabel(role)}</span>
      </button>
      <div id={panelId} className="user-menu__panel" hidden={!open}>
        <dl className="user-menu__facts">
          <div>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{roleLabel(role)}</dd>
          </div>
        </dl>
        <button type="button" className="button button--small" onClick={signOut} disabled={leaving}>
          {leaving ? "Signing out…" : "Sign out"}
        </button>
      </div>
    </div>
  );
}
