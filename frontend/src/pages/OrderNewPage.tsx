import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useConfig } from "../api/config";
import { useCustomer } from "../api/customers";
import { fieldErrorMap } from "../api/errors";
import { useCreateOrder } from "../api/orders";
import type { CustomerSummary, OrderCreate } from "../api/types";
import { CustomerPicker } from "../components/CustomerPicker";
import { ErrorMessage } from "../components/feedback";
import { LineItemsEditor } from "../components/LineItemsEditor";
import { FieldMessage } from "../components/TextField";
import { draftErrors, emptyLine, toOrderItems, type LineDraft } from "../lib/lineItems";
import { useSubmitOnce } from "../lib/useSubmitOnce";
import { can } from "../auth/permissions";
import { useUser } from "../auth/useSession";
import { OrdersCrumb } from "../components/OrdersCrumb";

/** Field paths this form shows next to an input; any other error is listed at the top. */
const FIELDS_ON_THE_FORM = /^(customer_id|notes|items|items\.\d+\.(sku|name|quantity|unit_price_cents))$/;

export function OrderNewPage() {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const user = useUser();
  // Staff order for anyone; a customer only for itself, so it gets no picker at all.
  const picksCustomer = can(user, "orders:for-any-customer");
  const ownCustomerId = picksCustomer ? null : user.customer_id;
  const preselected = useCustomer(picksCustomer ? searchParams.get("customer") : ownCustomerId);
  // undefined: the person has not picked yet, so the customer from the link (if any) stands.
  const [picked, setPicked] = useState<CustomerSummary | null | undefined>(undefined);
  const customer = picked === undefined ? (preselected.data ?? null) : picked;
  const customerId = picksCustomer ? (customer?.id ?? null) : ownCustomerId;
  const [lines, setLines] = useState<LineDraft[]>(() => [emptyLine()]);
  const [notes, setNotes] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const createOrder = useCreateOrder();
  const submitting = useSubmitOnce();
  const idempotencyKeyFor = useIdempotencyKeys();
  // The order will be priced in the deployment's currency: the API says which.
  const currency = useConfig().data?.currency ?? null;

  const errors = { ...fieldErrorMap(createOrder.error), ...localErrors };
  const hasFieldErrors = Object.keys(errors).length > 0;
  const unplacedErrors = Object.entries(errors).filter(([field]) => !FIELDS_ON_THE_FORM.test(field));

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const problems = draftErrors(lines);
    if (!customerId) problems.customer_id = picksCustomer ? "Choose a customer." : "Your account is not linked to a customer record.";
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0 || !customerId) return;

    const body: OrderCreate = { customer_id: customerId, items: toOrderItems(lines), notes: notes.trim() || null };
    submitting.run((done) =>
      createOrder.mutate(
        { body, idempotencyKey: idempotencyKeyFor(body) },
        {
          onSuccess: (order) => navigate(`/orders/${order.id}`, { state: { created: true } }),
          onSettled: done,
        },
      ),
    );
  }

  function changeLines(next: LineDraft[]) {
    // Removing a line shifts the API's item indexes: its old errors would point at the wrong lines.
    if (next.length !== lines.length) createOrder.reset();
    setLines(next);
  }

  const busy = createOrder.isPending;
  return (
    <>
      <title>New order · OrderFlow</title>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <OrdersCrumb /> / New
      </nav>
      <h1>New order</h1>
      <form className="form form--wide" onSubmit={handleSubmit} noValidate aria-busy={busy}>
        {createOrder.isError && !hasFieldErrors && <ErrorMessage error={createOrder.error} />}
        {hasFieldErrors && (
          <div className="alert alert--error" role="alert">
            <p>Some fields need attention: see the messages next to them.</p>
            {unplacedErrors.length > 0 && (
              <ul>
                {unplacedErrors.map(([field, message]) => (
                  <li key={field}>
                    {field}: {message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {picksCustomer ? (
          <CustomerPicker id="order-customer" value={customer} onChange={setPicked} error={errors.customer_id} />
        ) : (
          <OwnCustomer id="order-customer" customer={preselected.data ?? null} error={errors.customer_id} />
        )}
        <LineItemsEditor lines={lines} onChange={changeLines} errors={errors} currency={currency} />
        <div className="field">
          <label htmlFor="order-notes">Notes (optional)</label>
          <textarea
            id="order-notes"
            rows={3}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            aria-invalid={errors.notes ? true : undefined}
            aria-describedby={errors.notes ? "order-notes-error" : undefined}
          />
          <FieldMessage id="order-notes-error" message={errors.notes} />
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? "Creating…" : "Create order"}
          </button>
          <Link to={picksCustomer ? "/orders" : `/customers/${ownCustomerId ?? ""}`} className="button">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

/** A customer orders for itself: its own record, shown and fixed. */
function OwnCustomer({ id, customer, error }: { id: string; customer: CustomerSummary | null; error: string | undefined }) {
  return (
    <div className="field">
      <span className="label" id={`${id}-label`}>
        Customer
      </span>
      <div className="picked" aria-labelledby={`${id}-label`}>
        {customer ? (
          <span>
            <strong>{customer.name}</strong> <span className="muted">{customer.email}</span> (you)
          </span>
        ) : (
          <span>You</span>
        )}
      </div>
      <FieldMessage id={`${id}-error`} message={error} />
    </div>
  );
}

/**
 * One Idempotency-Key per submission: a retry of the same order (after a timeout, say) sends the
 * same key, so the gateway answers with the order it already made; a changed order gets a new key.
 */
function useIdempotencyKeys() {
  const last = useRef<{ payload: string; key: string } | null>(null);
  return (body: OrderCreate): string => {
    const payload = JSON.stringify(body);
    if (last.current?.payload !== payload) last.current = { payload, key: crypto.randomUUID() };
    return last.current.key;
  };
}
