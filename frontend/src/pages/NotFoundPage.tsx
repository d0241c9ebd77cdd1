import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <>
      <title>Page not found · OrderFlow</title>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the dashboard</Link>.
      </p>
    </>
  );
}
