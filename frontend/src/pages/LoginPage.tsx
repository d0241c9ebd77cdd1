import { useState, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router";
import { describeSignInError } from "../api/auth";
import type { ReturnTo } from "../auth/RequireSession";
import { session, type SignedOutReason } from "../auth/session";
import { useSession } from "../auth/useSession";
import { Loading } from "../components/feedback";
import { TextField } from "../components/TextField";
import { useSubmitOnce } from "../lib/useSubmitOnce";

const WHY: Partial<Record<SignedOutReason, string>> = {
  "signed-out": "You have signed out.",
  elsewhere: "You signed out in another tab.",
  expired: "Your session has ended. Sign in again to continue where you were.",
  unreachable: "Cannot reach the OrderFlow gateway to resume your session. Check that it is running, then sign in.",
};

export function LoginPage() {
  const state = useSession();
  const location = useLocation();
  const from = (location.state as ReturnTo | null)?.from;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const submitting = useSubmitOnce();

  if (state.status === "starting") return <Loading label="Signing you in…" />;
  if (state.status === "signed-in") {
    return <Navigate to={from ? `${from.pathname}${from.search}${from.hash}` : "/"} replace />;
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    submitting.run((done) => {
      setPending(true);
      setError(null);
      session
        .signIn(email.trim(), password)
        .catch((failure: unknown) => {
          setError(failure);
          setPassword("");
        })
        .finally(() => {
          setPending(false);
          done();
        });
    });
  }

  const why = state.reason === "none" ? null : WHY[state.reason];
  return (
    <main id="main" className="login">
      <title>Sign in · OrderFlow</title>
      <div className="card login__card">
        <p className="brand brand--dark">OrderFlow</p>
        <h1>Sign in</h1>
        {why && !error && (
          <p className="alert alert--warning" role="status">
            {why}
          </p>
        )}
        <form className="form" onSubmit={handleSubmit} noValidate aria-busy={pending}>
          {error !== null && (
            <div className="alert alert--error" role="alert">
              <p>{describeSignInError(error)}</p>
            </div>
          )}
          <TextField
            id="login-email"
            label="Email"
            type="email"
            autoComplete="username"
            autoFocus
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            id="login-password"
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="form__actions">
            <button type="submit" className="button button--primary" disabled={pending}>
              {pending ? "Signing in…" : "Sign in"}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
