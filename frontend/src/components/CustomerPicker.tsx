import { useId, useState, type KeyboardEvent } from "react";
import { useCustomers } from "../api/customers";
import type { CustomerSummary } from "../api/types";
import { useDebouncedValue } from "../lib/useDebouncedValue";
import { ErrorMessage } from "./feedback";
import { FieldMessage } from "./TextField";

interface CustomerPickerProps {
  id: string;
  value: CustomerSummary | null;
  onChange: (customer: CustomerSummary | null) => void;
  error?: string | undefined;
}

/** A combobox (WAI-ARIA pattern) that searches customers by name or email as you type. */
export function CustomerPicker({ id, value, onChange, error }: CustomerPickerProps) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const search = useDebouncedValue(text.trim(), 250);
  const customers = useCustomers(search, null, 8);
  const listId = useId();
  const errorId = `${id}-error`;
  const options = customers.data?.items ?? [];

  if (value) {
    return (
      <div className="field">
        <span className="label" id={`${id}-label`}>
          Customer
        </span>
        <div className="picked" aria-labelledby={`${id}-label`}>
          <span>
            <strong>{value.name}</strong> <span className="muted">{value.email}</span>
          </span>
          <button type="button" className="button button--small" onClick={() => onChange(null)}>
            Change customer
          </button>
        </div>
        <FieldMessage id={errorId} message={error} />
      </div>
    );
  }

  function choose(customer: CustomerSummary) {
    onChange({ id: customer.id, name: customer.name, email: customer.email });
    setText("");
    setOpen(false);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, options.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === "Enter" && open && options[active]) {
      event.preventDefault();
      choose(options[active]);
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  }

  const showList = open && options.length > 0;
  return (
    <div className="field combobox">
      <label htmlFor={id}>Customer</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && options[active] ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        placeholder="Search by name or email"
        autoComplete="off"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={handleKeyDown}
      />
      <ul id={listId} role="listbox" aria-label="Customers" className="combobox__list" hidden={!showList}>
        {options.map((customer, index) => (
          <li
            key={customer.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className="combobox__option"
            // mousedown, not click: it fires before the input's blur closes the list.
            onMouseDown={(event) => {
              event.preventDefault();
              choose(customer);
            }}
          >
            <strong>{customer.name}</strong> <span className="muted">{customer.email}</span>
          </li>
        ))}
      </ul>
      {open && search && customers.isSuccess && options.length === 0 && (
        <p className="field__hint" role="status">
          No customer matches “{search}”.
        </p>
      )}
      {customers.isError && <ErrorMessage error={customers.error} />}
      <FieldMessage id={errorId} message={error} />
    </div>
  );
}
