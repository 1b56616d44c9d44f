import { Schema } from "effect"
import { Direction } from "./Connection.js"

// ---- peer failures (A5): the typed error channel of every check ----

export const OfflineReason = Schema.Literal("refused", "dns", "unreachable", "connect_timeout", "timeout")
export class Offline extends Schema.TaggedError<Offline>()("Offline", {
  reason: OfflineReason,
  detail: Schema.optional(Schema.String)
}) {
  override get message() {
    return `remote site offline (${this.reason})`
  }
}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  reason: Schema.Literal("not_found")
}) {
  override get message() {
    return "remote site reports no such connection"
  }
}

export const RemoteErrorReason = Schema.Union(
  Schema.Literal(
    "reset",
    "tls",
    "transport",
    "bad_body",
    "malformed",
    "unknown_status",
    "no_route",
    "too_large",
    "missing_connection_info",
    "invalid_url",
    "internal_address",
    "self_address"
  ),
  Schema.TemplateLiteral("http_", Schema.Number)
)
export class RemoteError extends Schema.TaggedError<RemoteError>()("RemoteError", {
  reason: RemoteErrorReason,
  detail: Schema.optional(Schema.String),
  // the raw `status` string when the remote answered one we do not know (A2)
  remoteStatus: Schema.optional(Schema.String)
}) {
  override get message() {
    return this.detail === undefined ? `remote error (${this.reason})` : `remote error (${this.reason}): ${this.detail}`
  }
}

export type PeerFailure = Offline | NotFound | RemoteError

export const failureOutcome = (error: PeerFailure): "offline" | "not_found" | "error" =>
  error._tag === "Offline" ? "offline" : error._tag === "NotFound" ? "not_found" : "error"

// ---- registry failures: client-visible, the _tag is the GraphQL extensions.code ----

export class ConnectionNotFound extends Schema.TaggedError<ConnectionNotFound>()("ConnectionNotFound", {
  uuid: Schema.String
}) {
  override get message() {
    return `No connection with uuid ${this.uuid}`
  }
}

export class InvalidSiteUrl extends Schema.TaggedError<InvalidSiteUrl>()("InvalidSiteUrl", {
  message: Schema.String
}) {}

export class DuplicateConnection extends Schema.TaggedError<DuplicateConnection>()("DuplicateConnection", {
  siteUrl: Schema.String,
  direction: Direction
}) {
  override get message() {
    return `A ${this.direction} connection to ${this.siteUrl} already exists`
  }
}

export class SelfConnection extends Schema.TaggedError<SelfConnection>()("SelfConnection", {
  siteUrl: Schema.String
}) {
  override get message() {
    return "site_url cannot create a connection to yourself"
  }
}

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  field: Schema.String,
  message: Schema.String
}) {}

// the list form past MAX_LIST: the caller pages instead (Query.connectionPage)
export class ListTooLong extends Schema.TaggedError<ListTooLong>()("ListTooLong", {
  max: Schema.Number
}) {
  override get message() {
    return `The list holds more than ${this.max} connections (MAX_LIST): read it a page at a time with connectionPage(first, after, filter)`
  }
}

// B §7.21 fixed: a hash is the shared credential, so no two rows of one direction may hold the same one
export class DuplicateToken extends Schema.TaggedError<DuplicateToken>()("DuplicateToken", {
  direction: Direction
}) {
  override get message() {
    return `A ${this.direction} connection with this auth token already exists`
  }
}

export class MaintenanceNotFound extends Schema.TaggedError<MaintenanceNotFound>()("MaintenanceNotFound", {
  id: Schema.String
}) {
  override get message() {
    return `No maintenance window with id ${this.id}`
  }
}

// ---- the service itself: client-visible, so a caller can tell "try later" from a bug ----

// the store refuses writes (read-only file, full disk, I/O error): nothing was changed
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  reason: Schema.String
}) {
  override get message() {
    return `The database is unavailable: ${this.reason}`
  }
}

// the server stopped while the operation ran; it can be retried once the server is back
export class ShuttingDown extends Schema.TaggedError<ShuttingDown>()("ShuttingDown", {}) {
  override get message() {
    return "The server is shutting down; retry once it is back"
  }
}

// a VIEWER_TOKEN may read and subscribe; every mutation is refused, whatever the transport
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  operation: Schema.String,
  // a query field the viewer may not select
  field: Schema.optional(Schema.String)
}) {
  override get message() {
    return this.field === undefined
      ? `The viewer role may not run mutations (${this.operation}): use ADMIN_TOKEN`
      : `The viewer role may not query ${this.field}, which calls a site of the caller's choosing: use ADMIN_TOKEN`
  }
}

// ---- what a GraphQL client may see: the bridge exposes these and masks everything else ----

export const ClientError = Schema.Union(
  ConnectionNotFound,
  InvalidSiteUrl,
  DuplicateConnection,
  SelfConnection,
  InvalidInput,
  ListTooLong,
  DuplicateToken,
  MaintenanceNotFound,
  Offline,
  NotFound,
  RemoteError,
  StoreUnavailable,
  ShuttingDown,
  Forbidden
)
export type ClientError = typeof ClientError.Type
export const isClientError = Schema.is(ClientError)
