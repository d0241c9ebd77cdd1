import { useState, type FormEvent, type ReactNode } from "react";
import { fieldErrorMap } from "../../api/errors";
import { ABORT_STATUSES, useClearFault, usePutFault, type AbortStatus, type Fault, type FaultSpec } from "../../api/lab";
import { useCountdown } from "../../lib/useCountdown";
import { ErrorMessage } from "../feedback";
import { FieldMessage } from "../TextField";

export const NO_FAULT: FaultSpec = { delay_ms: 0, delay_percent: 0, abort_status: null, abort_percent: 0, ttl_s: 300 };

export function specOf(fault: Fault): FaultSpec {
  const { delay_ms, delay_percent, abort_status, abort_percent, ttl_s } = fault;
  return { delay_ms, delay_percent, abort_status, abort_percent, ttl_s };
}

/** mm:ss, for a fault's time to live. */
export function formatCountdown(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export function describeFault(spec: FaultSpec): string {
  const parts = [];
  if (spec.delay_ms > 0 && spec.delay_percent > 0) parts.push(`${spec.delay_ms} ms delay on ${spec.delay_percent}%`);
  if (spec.abort_status !== null && spec.abort_percent > 0) parts.push(`${spec.abort_status} on ${spec.abort_percent}%`);
  return parts.length > 0 ? parts.join(", ") : "nothing (no delay, no abort)";
}

/**
 * The fault in front of one upstream, as controls. The form shows the fault in force until the
 * person changes something; applying or clearing goes back to showing what the gateway holds.
 */
interface FaultControlsProps {
  service: string;
  fault: Fault | undefined;
  /** When the gateway said how long the fault has left (epoch ms). */
  fetchedAt: number;
}

/** The fields of the form; the API's errors about anything else are listed above them. */
const FIELDS = new Set<string>(["delay_ms", "delay_percent", "abort_status", "abort_percent", "ttl_s"]);

export function FaultControls({ service, fault, fetchedAt }: FaultControlsProps) {
  const [draft, setDraft] = useState<FaultSpec | null>(null);
  const put = usePutFault(service);
  const clear = useClearFault(service);
  const values = draft ?? (fault ? specOf(fault) : NO_FAULT);
  const errors = fieldErrorMap(put.error);
  const unplaced = Object.entries(errors).filter(([field]) => !FIELDS.has(field));
  const otherError = put.isError && Object.keys(errors).length === 0 ? put.error : clear.isError ? clear.error : null;
  const id = (field: string) => `fault-${service}-${field}`;

  function change<K extends keyof FaultSpec>(field: K, value: FaultSpec[K]) {
    setDraft({ ...values, [field]: value });
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    clear.reset();
    put.mutate(values, { onSuccess: () => setDraft(null) });
  }

  function remove() {
    put.reset();
    clear.mutate(undefined, { onSuccess: () => setDraft(null) });
  }

  const busy = put.isPending || clear.isPending;
  return (
    <form className="fault card" onSubmit={apply} noValidate aria-labelledby={id("heading")} aria-busy={busy}>
      <header className="fault__header">
        <h3 id={id("heading")}>{service}</h3>
        <FaultStatus service={service} fault={fault} fetchedAt={fetchedAt} />
      </header>
      {otherError !== null && <ErrorMessage error={otherError} />}
      {unplaced.length > 0 && (
        <div className="alert alert--error" role="alert">
          {unplaced.map(([field, message]) => (
            <p key={field}>{message}</p>
          ))}
        </div>
      )}
      <Slider id={id("delay_ms")} label="Delay" unit="ms" min={0} max={30_000} step={100} value={values.delay_ms} error={errors.delay_ms}
        onChange={(value) => change("delay_ms", value)} />
      <Slider id={id("delay_percent")} label="Delay on" unit="% of requests" min={0} max={100} step={5} value={values.delay_percent}
        error={errors.delay_percent} onChange={(value) => change("delay_percent", value)} />
      <Field id={id("abort_status")} label="Abort with" error={errors.abort_status}>
        <select
          id={id("abort_status")}
          value={values.abort_status ?? ""}
          aria-invalid={errors.abort_status ? true : undefined}
          aria-describedby={errors.abort_status ? `${id("abort_status")}-error` : undefined}
          onChange={(e) => change("abort_status", e.target.value ? (Number(e.target.value) as AbortStatus) : null)}
        >
          <option value="">No abort</option>
          {ABORT_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </Field>
      <Slider id={id("abort_percent")} label="Abort on" unit="% of requests" min={0} max={100} step={5} value={values.abort_percent}
        error={errors.abort_percent} onChange={(value) => change("abort_percent", value)} />
      <Field id={id("ttl_s")} label="Ends after (seconds)" error={errors.ttl_s}>
        <input
          id={id("ttl_s")}
          type="number"
          inputMode="numeric"
          min={1}
          max={3600}
          value={Number.isNaN(values.ttl_s) ? "" : values.ttl_s}
          aria-invalid={errors.ttl_s ? true : undefined}
          aria-describedby={errors.ttl_s ? `${id("ttl_s")}-error` : undefined}
          onChange={(e) => change("ttl_s", e.target.valueAsNumber)}
        />
      </Field>
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {put.isPending ? "Applying…" : `Apply to ${service}`}
        </button>
        <button type="button" className="button" onClick={remove} disabled={busy || !fault}>
          {clear.isPending ? "Clearing…" : `Clear ${service} fault`}
        </button>
      </div>
    </form>
  );
}

/** What is in force now and how long it has left, counting down; its end is announced. */
function FaultStatus({ service, fault, fetchedAt }: { service: string; fault: Fault | undefined; fetchedAt: number }) {
  const left = useCountdown(fault ? fetchedAt + fault.expires_in_s * 1_000 : null);
  if (!fault || left === 0) {
    return (
      <p className="fault__status" role="status">
        {fault ? `The fault on ${service} has ended.` : "No fault"}
      </p>
    );
  }
  return (
    <p className="fault__status fault__status--active">
      <span className="badge badge--fault">Active</span> {describeFault(specOf(fault))}
      {left !== null && (
        <>
          {" "}
          · ends in <span className="mono" data-testid={`fault-${service}-countdown`}>{formatCountdown(left)}</span>
        </>
      )}
    </p>
  );
}

interface SliderProps {
  id: string;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  value: number;
  error: string | undefined;
  onChange: (value: number) => void;
}

function Slider({ id, label, unit, min, max, step, value, error, onChange }: SliderProps) {
  return (
    <Field id={id} label={label} error={error} output={<output htmlFor={id}>{`${value} ${unit}`}</output>}>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={`${value} ${unit}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.valueAsNumber)}
      />
    </Field>
  );
}

function Field({ id, label, error, output, children }: { id: string; label: string; error: string | undefined; output?: ReactNode; children: ReactNode }) {
  return (
    <div className="field fault__field">
      <div className="fault__label">
        <label htmlFor={id}>{label}</label>
        {output}
      </div>
      {children}
      <FieldMessage id={`${id}-error`} message={error} />
    </div>
  );
}
