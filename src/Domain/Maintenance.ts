import { DateTime, Schema } from "effect"
import { ConnectionUuid } from "./Connection.js"

// A maintenance window: its connections are checked and their history kept as usual, but no alert or
// reminder is sent for them, and their checks do not count against uptime
export class Maintenance extends Schema.Class<Maintenance>("Maintenance")({
  id: Schema.String,
  // the site the window was asked for (its connections when it was created), or null when asked by uuids
  siteUrl: Schema.NullOr(Schema.String),
  connectionUuids: Schema.Array(ConnectionUuid),
  startsAt: Schema.DateTimeUtcFromSelf,
  endsAt: Schema.DateTimeUtcFromSelf,
  reason: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtcFromSelf
}) {
  covers(millis: number): boolean {
    return DateTime.toEpochMillis(this.startsAt) <= millis && millis < DateTime.toEpochMillis(this.endsAt)
  }
}

export const MAX_WINDOW_DAYS = 366
