import { Navigate } from "react-router";
import { can } from "../auth/permissions";
import { useUser } from "../auth/useSession";
import { DashboardPage } from "./DashboardPage";

/** Staff and admins start on the dashboard; a customer on its own page, with its orders. */
export function HomePage() {
  const user = useUser();
  if (can(user, "dashboard")) return <DashboardPage />;
  if (user.customer_id) return <Navigate to={`/customers/${user.customer_id}`} replace />;
  return (
    <>
      <title>OrderFlow</title>
      <h1>Welcome, {user.name}</h1>
      <p>Your account is not linked to a customer record yet, so there are no orders to show. Ask an administrator to link it.</p>
    </>
  );
}
