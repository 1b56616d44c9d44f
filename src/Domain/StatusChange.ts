import { Schema } from "effect"
import { ConnectionUuid } from "./Connection.js"

// one row of a connection's history: its check outcome, or its own status after a sever, changed
export class StatusChange extends Schema.Class<StatusChange>("StatusChange")({
  connectionUuid: ConnectionUuid,
  at: Schema.DateTimeUtcFromSelf,
  from: Schema.NullOr(Schema.String),
  to: Schema.String,
  reason: Schema.NullOr(Schema.String)
}) {}
