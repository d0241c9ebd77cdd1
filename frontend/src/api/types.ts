// Names for the contract's shapes. Everything here comes from schema.d.ts, which is generated
// from the gateway's OpenAPI document (`npm run gen:api`): never write these by hand.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Customer = Schemas["Customer"];
export type CustomerCreate = Schemas["CustomerCreate"];
export type CustomerUpdate = Schemas["CustomerUpdate"];
export type CustomerPage = Schemas["CustomerPage"];
export type CustomerSummary = Schemas["CustomerSummary"];
/** An order in a page; its page says what is missing. */
export type Order = Schemas["Order"];
/** One order on its own, saying itself what it is missing. */
export type OrderDetail = Schemas["OrderDetail"];
export type OrderItem = Schemas["OrderItem"];
export type OrderCreate = Schemas["OrderCreate"];
export type OrderPage = Schemas["OrderPage"];
export type OrderStatus = Schemas["OrderStatus"];
export type Dashboard = Schemas["Dashboard"];
export type Config = Schemas["Config"];
export type ServiceHealth = Schemas["ServiceHealth"];
export type Services = Schemas["Services"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];
export type Trace = Schemas["LabTrace"];
export type Span = Schemas["LabSpan"];
export type SpanEvent = Schemas["LabSpanEvent"];
export type FaultSpec = Schemas["FaultSpec"];
export type Fault = Schemas["LabFault"];
export type Faults = Schemas["LabFaults"];
export type Circuit = Schemas["Circuit"];
