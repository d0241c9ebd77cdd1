import type { LineDraft } from "../lib/lineItems";
import { draftTotalCents, emptyLine, lineTotalCents } from "../lib/lineItems";
import { formatMoney } from "../lib/money";
import { FieldMessage } from "./TextField";

export const MAX_LINES = 100;

interface LineItemsEditorProps {
  lines: readonly LineDraft[];
  onChange: (lines: LineDraft[]) => void;
  /** Errors by the API's field path: "items.0.quantity". */
  errors: Record<string, string>;
  /** The currency the order will have; null until the API has said. */
  currency: string | null;
}

const COLUMNS = [
  { field: "sku", label: "SKU", inputMode: "text", width: "8em" },
  { field: "name", label: "Product", inputMode: "text", width: undefined },
  { field: "quantity", label: "Quantity", inputMode: "numeric", width: "6em" },
  { field: "unitPrice", label: "Unit price", inputMode: "decimal", width: "8em" },
] as const;

/** The API names the price unit_price_cents; the person types an amount. */
const API_FIELD: Record<(typeof COLUMNS)[number]["field"], string> = {
  sku: "sku",
  name: "name",
  quantity: "quantity",
  unitPrice: "unit_price_cents",
};

export function LineItemsEditor({ lines, onChange, errors, currency }: LineItemsEditorProps) {
  const update = (index: number, patch: Partial<LineDraft>) =>
    onChange(lines.map((line, i) => (i === index ? { ...line, ...patch } : line)));

  return (
    <fieldset className="line-items">
      <legend>Items</legend>
      <ol className="line-items__list">
        {lines.map((line, index) => {
          const lineTotal = lineTotalCents(line);
          return (
            <li key={line.key} className="line-item" aria-label={`Item ${index + 1}`}>
              {COLUMNS.map(({ field, label, inputMode, width }) => {
                const id = `item-${index}-${field}`;
                const error = errors[`items.${index}.${API_FIELD[field]}`];
                return (
                  <div key={field} className="field line-item__field" style={width ? { flexBasis: width } : undefined}>
                    <label htmlFor={id}>
                      {label} <span className="visually-hidden">(item {index + 1})</span>
                    </label>
                    <input
                      id={id}
                      inputMode={inputMode}
                      value={line[field]}
                      onChange={(event) => update(index, { [field]: event.target.value })}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `${id}-error` : undefined}
                      placeholder={field === "unitPrice" ? "0.00" : undefined}
                    />
                    <FieldMessage id={`${id}-error`} message={error} />
                  </div>
                );
              })}
              <div className="line-item__total">
                <span className="label">Amount</span>
                <output data-testid={`line-total-${index}`}>{lineTotal === null ? "—" : formatMoney(lineTotal, currency)}</output>
              </div>
              <button
                type="button"
                className="button button--small button--ghost line-item__remove"
                onClick={() => onChange(lines.filter((_, i) => i !== index))}
                disabled={lines.length === 1}
                aria-label={`Remove item ${index + 1}`}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ol>
      <FieldMessage id="items-error" message={errors.items} />
      <div className="line-items__footer">
        <button type="button" className="button" onClick={() => onChange([...lines, emptyLine()])} disabled={lines.length >= MAX_LINES}>
          + Add item
        </button>
        <p className="line-items__total">
          Total{" "}
          <output aria-live="polite" data-testid="order-total">
            {formatMoney(draftTotalCents(lines), currency)}
          </output>
        </p>
      </div>
    </fieldset>
  );
}
