import { Schema } from "effect"

export const Direction = Schema.Literal("sender", "receiver")
export type Direction = typeof Direction.Type

export const ConnectionStatus = Schema.Literal("pending", "active", "suspended", "revoked", "expired")
export type ConnectionStatus = typeof ConnectionStatus.Type

// who made the last status change (null: none since creation)
export const StatusActor = Schema.Literal("admin", "remote", "severed")
export type StatusActor = typeof StatusActor.Type

export const ConnectionUuid = Schema.UUID.pipe(Schema.brand("ConnectionUuid"))
export type ConnectionUuid = typeof ConnectionUuid.Type

// metadata.remote_notification, spec B §1.5(a): written on sender rows after a register attempt
export class RemoteNotification extends Schema.Class<RemoteNotification>("RemoteNotification")({
  notified_at: Schema.String,
  notification_success: Schema.Boolean,
  notification_status: Schema.Literal("registered", "pending", "failed"),
  notification_message: Schema.NullOr(Schema.String),
  remote_connection_uuid: Schema.NullOr(Schema.String),
  http_status: Schema.NullOr(Schema.Int)
}) {}

export const Metadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type Metadata = typeof Metadata.Type

export class Connection extends Schema.Class<Connection>("Connection")({
  uuid: ConnectionUuid,
  name: Schema.String,
  direction: Direction,
  siteUrl: Schema.String,
  // the shared bearer credential of the pair: redacted so no log line can carry it
  authTokenHash: Schema.NullOr(Schema.Redacted(Schema.String)),
  status: ConnectionStatus,
  metadata: Metadata,
  approvedAt: Schema.NullOr(Schema.DateTimeUtcFromSelf),
  suspendedAt: Schema.NullOr(Schema.DateTimeUtcFromSelf),
  suspendedReason: Schema.NullOr(Schema.String),
  revokedAt: Schema.NullOr(Schema.DateTimeUtcFromSelf),
  revokedReason: Schema.NullOr(Schema.String),
  statusChangedBy: Schema.NullOr(StatusActor),
  insertedAt: Schema.DateTimeUtcFromSelf,
  updatedAt: Schema.DateTimeUtcFromSelf
}) {
  // strict, as B §5.2: only the boolean true counts
  get remoteNotified(): boolean {
    const notification = this.metadata["remote_notification"]
    return (
      typeof notification === "object" &&
      notification !== null &&
      (notification as Record<string, unknown>)["notification_success"] === true
    )
  }
}

// a name an admin gives (created or renamed): not blank, and short enough to read in a list
export const NAME_MAX_LENGTH = 200
export const nameProblem = (name: string): string | undefined =>
  name.trim() === ""
    ? "name can't be blank"
    : name.length > NAME_MAX_LENGTH
      ? `name is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed`
      : undefined

// B §3.3: the statuses another site may set over update-status, and the ones we tell a remote of
export const RemoteSettableStatus = Schema.Literal("active", "suspended", "revoked")
export type RemoteSettableStatus = typeof RemoteSettableStatus.Type
export const isRemoteSettable = Schema.is(RemoteSettableStatus)

// a receiver another site registered and no admin approved yet: never checked unasked, so a registration
// alone never makes us send traffic
export const isPendingReceiver = (connection: Connection): boolean =>
  connection.direction === "receiver" && connection.status === "pending"

// A4, the sever rule: a sender the remote no longer knows is suspended, unless it already is, or is revoked or
// expired (the store's guard reads the same list)
export const NOT_SEVERABLE = ["suspended", "revoked", "expired"] as const satisfies ReadonlyArray<ConnectionStatus>
export const canSever = (connection: Connection): boolean =>
  !(NOT_SEVERABLE as ReadonlyArray<ConnectionStatus>).includes(connection.status)

export const SEVERED_REASON = "Remote site reports connection not found"
export const REVOKED_REASON = "Revoked by admin"

// B §5.2: a sender whose registration never reached the remote would always get 404 and be wrongly suspended
export const isVerifiable = (connection: Connection): boolean =>
  connection.direction === "sender" &&
  (connection.status === "active" || connection.status === "pending" || connection.status === "suspended") &&
  connection.remoteNotified
