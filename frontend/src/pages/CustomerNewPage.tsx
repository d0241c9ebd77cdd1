import { Link, useNavigate } from "react-router";
import { useCreateCustomer } from "../api/customers";
import { CustomerForm } from "../components/CustomerForm";
import { useSubmitOnce } from "../lib/useSubmitOnce";

export function CustomerNewPage() {
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const submitting = useSubmitOnce();
  return (
    <>
      <title>New customer · OrderFlow</title>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/customers">Customers</Link> / New
      </nav>
      <h1>New customer</h1>
      <CustomerForm
        submitLabel="Create customer"
        pending={create.isPending}
        error={create.error}
        onSubmit={(values) =>
          submitting.run((done) =>
            create.mutate(values, { onSuccess: (customer) => navigate(`/customers/${customer.id}`), onSettled: done }),
          )
        }
        onCancel={() => navigate("/customers")}
      />
    </>
  );
}
