import { Link } from "react-router";
import { can } from "../auth/permissions";
import { useUser } from "../auth/useSession";

/** The breadcrumb back to the orders: every order for staff, a customer's own page for a customer. */
export function OrdersCrumb() {
  const user = useUser();
  if (can(user, "orders:list")) return <Link to="/orders">Orders</Link>;
  if (user.customer_id) return <Link to={`/customers/${user.customer_id}`}>My orders</Link>;
  return <span>Orders</span>;
}
