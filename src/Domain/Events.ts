import { Schema } from "effect"
import { Connection, ConnectionUuid } from "./Connection.js"
import { OfflineReason, RemoteErrorReason } from "./Errors.js"
import { EpochMillis } from "./Time.js"

export const SenderStatus = Schema.Literal(
  "active",
  "suspended",
  "revoked",
  "pending",
  "expired",
  "offline",
  "not_found",
  "error"
)
export type SenderStatus = typeof SenderStatus.Type

// one receiver connection's answer from its remote sender (get-connection-status)
export class SenderStatusFetched extends Schema.TaggedClass<SenderStatusFetched>()("SenderStatusFetched", {
  connectionUuid: ConnectionUuid,
  status: SenderStatus,
  remoteStatus: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.Union(OfflineReason, RemoteErrorReason, Schema.Literal("not_found"))),
  detail: Schema.NullOr(Schema.String),
  checkedAt: EpochMillis,
  durationMs: Schema.Number
}) {}

// A check's result as the constructor makes it (same prototype, fields in their order, `_tag` last), from fields already typed:
// no copy, no defaults, no validation. It runs once per check; the constructor, even with `disableValidation`,
// costs ten times more (a spread, a defaults pass over the fields, `Object.assign`).
export const senderStatusFetched = (fields: Omit<SenderStatusFetched, "_tag">): SenderStatusFetched => {
  const self = Object.create(SenderStatusFetched.prototype) as { -readonly [K in keyof SenderStatusFetched]: unknown }
  self.connectionUuid = fields.connectionUuid
  self.status = fields.status
  self.remoteStatus = fields.remoteStatus
  self.reason = fields.reason
  self.detail = fields.detail
  self.checkedAt = fields.checkedAt
  self.durationMs = fields.durationMs
  self._tag = "SenderStatusFetched"
  return self as SenderStatusFetched
}

export const VerificationOutcome = Schema.Literal("exists", "not_found", "offline", "error")
export type VerificationOutcome = typeof VerificationOutcome.Type

// one sender connection's answer from its remote receiver (verify-connection)
export class ReceiverVerification extends Schema.TaggedClass<ReceiverVerification>()("ReceiverVerification", {
  connectionUuid: ConnectionUuid,
  outcome: VerificationOutcome,
  // true when the severed rule (A4) suspended the local row because of this answer
  suspended: Schema.Boolean,
  reason: Schema.NullOr(Schema.Union(OfflineReason, RemoteErrorReason, Schema.Literal("not_found"))),
  checkedAt: EpochMillis,
  durationMs: Schema.Number,
  // the row after the severed suspend, when it happened
  connection: Schema.NullOr(Connection)
}) {}

export const ChangeKind = Schema.Literal("created", "updated", "deleted")
export type ChangeKind = typeof ChangeKind.Type

export class ConnectionChange extends Schema.TaggedClass<ConnectionChange>()("ConnectionChange", {
  kind: ChangeKind,
  connectionUuid: ConnectionUuid,
  // the row after the change; null when deleted
  connection: Schema.NullOr(Connection)
}) {}

// a sender the severed rule (A4) just suspended, published after the write
export class ReceiverConnectionSevered extends Schema.TaggedClass<ReceiverConnectionSevered>()(
  "ReceiverConnectionSevered",
  { connectionUuid: ConnectionUuid, connection: Connection }
) {}

export class StatusRoundCompleted extends Schema.TaggedClass<StatusRoundCompleted>()("StatusRoundCompleted", {
  round: Schema.Int,
  checked: Schema.Int,
  severed: Schema.Int
}) {}

// the mass-sever brake held a round: too many eligible senders answered not found at once
export class SeveringHeld extends Schema.TaggedClass<SeveringHeld>()("SeveringHeld", {
  round: Schema.Int,
  notFound: Schema.Int,
  eligible: Schema.Int
}) {}

// one round of an interval as one message (statusRounds): every connection's result, the severs it caused
export class StatusRound extends Schema.TaggedClass<StatusRound>()("StatusRound", {
  round: Schema.Int,
  completedAt: Schema.DateTimeUtcFromSelf,
  senderStatuses: Schema.Array(SenderStatusFetched),
  verifications: Schema.Array(ReceiverVerification),
  severed: Schema.Array(ReceiverConnectionSevered),
  held: Schema.NullOr(SeveringHeld)
}) {}

export type StatusEvent = SenderStatusFetched | ReceiverConnectionSevered | SeveringHeld | StatusRoundCompleted
