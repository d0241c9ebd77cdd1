import { useState, type FormEvent } from "react";
import { ApiError, fieldErrorMap } from "../api/errors";
import type { CustomerCreate } from "../api/types";
import { ErrorMessage } from "./feedback";
import { TextField } from "./TextField";

interface CustomerFormProps {
  initial?: CustomerCreate;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (values: CustomerCreate) => void;
  onCancel?: () => void;
}

/**
 * Create and edit share this form. Validation is the API's: its 422 field errors (and the 409
 * for a taken email) are shown under the fields they are about.
 */
export function CustomerForm({ initial, submitLabel, pending, error, onSubmit, onCancel }: CustomerFormProps) {
  const [name, setName] = useState(initial?.name ?? "");
  const [email, setEmail] = useState(initial?.email ?? "");
  const fieldErrors = fieldErrorsOf(error);
  const otherError = error && !fieldErrors.name && !fieldErrors.email ? error : null;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    onSubmit({ name, email });
  }

  return (
    <form className="form" onSubmit={handleSubmit} noValidate aria-busy={pending}>
      {otherError ? <ErrorMessage error={otherError} /> : null}
      <TextField id="customer-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" error={fieldErrors.name} />
      <TextField id="customer-email" label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" error={fieldErrors.email} />
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function fieldErrorsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError && error.status === 409) {
    return { email: error.problem?.detail ?? "A customer with this email already exists." };
  }
  return fieldErrorMap(error);
}
