import { Link, useNavigate } from "react-router";
import { useCreateCustomer } from "../api/customers";
import { CustomerForm } from "../components/CustomerForm";

export function CustomerNewPage() {
  const navigate = useNavigate();
  const create = useCreateCustomer();
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/customers">Customers</Link> / New
      </nav>
      <h1>New customer</h1>
      <CustomerForm
        submitLabel="Create customer"
        pending={create.isPending}
        error={create.error}
        onSubmit={(values) => create.mutate(values, { onSuccess: (customer) => navigate(`/customers/${customer.id}`) })}
        onCancel={() => navigate("/customers")}
      />
    </>
  );
}
