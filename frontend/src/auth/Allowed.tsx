import type { ReactNode } from "react";
import { Link } from "react-router";
import { mainRole, type Capability } from "./permissions";
import { useCan, useUser } from "./useSession";

interface AllowedProps {
  to: Capability;
  /** What is refused, after "may not": "see the list of customers". */
  what: string;
  children: ReactNode;
}

/** A page only some roles may open; anyone else is told so instead of being shown a refusal from the API. */
export function Allowed({ to, what, children }: AllowedProps) {
  const allowed = useCan(to);
  const user = useUser();
  if (allowed) return children;
  const role = mainRole(user);
  return (
    <>
      <title>Not for your role · OrderFlow</title>
      <h1>Not for your role</h1>
      <div className="alert alert--warning" role="alert">
        <p>
          Your role ({role ?? "none"}) may not {what}.
        </p>
      </div>
      <p>
        <Link to="/">Go to your home page</Link>, or sign in with an account that may.
      </p>
    </>
  );
}
