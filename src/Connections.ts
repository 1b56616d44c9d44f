import { Config, Context, Effect, Layer, Option, type Queue, Redacted, Schema, type Scope, type Stream } from "effect"
import { ConnectionFeed } from "./Connections/Feed.js"
import { ConnectionsRepo, type Count, type Found, type ListFilter, type Repo } from "./Connections/Repo.js"
import * as UuidV7 from "./Connections/UuidV7.js"
import {
  type Connection,
  type ConnectionStatus,
  ConnectionUuid,
  type Direction,
  type Metadata,
  nameProblem,
  RemoteNotification,
  type RemoteSettableStatus
} from "./Domain/Connection.js"
import {
  ConnectionNotFound,
  DuplicateConnection,
  type DuplicateToken,
  InvalidInput,
  type InvalidSiteUrl,
  ListTooLong,
  SelfConnection,
  type StoreUnavailable
} from "./Domain/Errors.js"
import { type ChangeKind, ConnectionChange } from "./Domain/Events.js"
import * as Page from "./Domain/Page.js"
import * as SiteUrl from "./Domain/SiteUrl.js"
import { nowSeconds } from "./Domain/Time.js"
import * as Token from "./Domain/Token.js"
import * as Setting from "./Setting.js"
import { SiteConfig } from "./SiteConfig.js"

export interface CreateInput {
  readonly name: string
  readonly direction: Direction
  readonly siteUrl: string
  readonly authToken?: Redacted.Redacted<string> | undefined
  readonly status?: ConnectionStatus | undefined
  readonly metadata?: Metadata | undefined
}

export type { Count, ListFilter } from "./Connections/Repo.js"

export interface PageArgs {
  readonly first?: number | undefined
  readonly after?: string | undefined
  readonly filter?: Page.PageFilter | undefined
}

// one page's rows, each with its cursor, and whether rows follow the last
export interface ConnectionPage {
  readonly rows: ReadonlyArray<Connection>
  readonly hasNextPage: boolean
  readonly filter: Page.PageFilter
}

// the list form (Query.connections) answers at most this many rows; past it the caller pages
export const maxList = Setting.integer("MAX_LIST", { min: 1, unit: "connections in one list" }).pipe(
  Config.withDefault(10_000)
)

const make = Effect.gen(function* () {
  const site = yield* SiteConfig
  const maxUuids = yield* Setting.integer("MAX_UUIDS", { min: 1, unit: "uuids in one query" }).pipe(
    Config.withDefault(1_000)
  )
  const listCap = yield* maxList
  const repo = yield* ConnectionsRepo
  const nextUuid = yield* UuidV7.makeGenerator
  const feed = yield* ConnectionFeed

  const changeOf = (kind: ChangeKind, connection: Connection) =>
    new ConnectionChange({
      kind,
      connectionUuid: connection.uuid,
      connection: kind === "deleted" ? null : connection
    })

  // called only after the write has committed
  const publish = (kind: ChangeKind, connection: Connection) => feed.wrote(changeOf(kind, connection))

  const parseUuid = (uuid: string) =>
    Schema.decodeUnknown(ConnectionUuid)(uuid.toLowerCase()).pipe(
      Effect.mapError(() => new InvalidInput({ field: "uuid", message: "uuid is not a valid UUID" }))
    )

  const found =
    (uuid: string) =>
    <E, R>(effect: Effect.Effect<Option.Option<Connection>, E, R>) =>
      Effect.flatMap(
        effect,
        Option.match({
          onNone: () => Effect.fail(new ConnectionNotFound({ uuid })),
          onSome: Effect.succeed
        })
      )

  const create = Effect.fn("Connections.create")(function* (input: CreateInput) {
    if (input.name.trim() === "") {
      return yield* new InvalidInput({ field: "name", message: "name can't be blank" })
    }
    if (input.authToken !== undefined && Redacted.value(input.authToken).trim() === "") {
      return yield* new InvalidInput({ field: "authToken", message: "authToken can't be blank" })
    }
    const siteUrl = yield* SiteUrl.validate(input.siteUrl, { allowInternal: site.allowInternalUrls })
    if (input.direction === "sender" && isSameSite(siteUrl, site.siteUrl)) {
      return yield* new SelfConnection({ siteUrl })
    }
    // the sync API compares a sender's URL exactly (its contract), so a receiver's is stored as given; one that
    // differs from another only by trailing slashes is the same site all the same (SiteUrl.sameSite)
    if (input.direction === "receiver") {
      for (const other of SiteUrl.sameSite(siteUrl)) {
        if (Option.isSome(yield* repo.findReceiverBySite(other))) {
          return yield* new DuplicateConnection({ siteUrl, direction: "receiver" })
        }
      }
    }
    const authToken = input.authToken ?? (yield* Token.generate)
    const connection = yield* repo.insert({
      uuid: yield* nextUuid,
      name: input.name,
      direction: input.direction,
      siteUrl,
      authTokenHash: Token.hash(authToken),
      status: input.status ?? (input.direction === "sender" ? "pending" : "active"),
      metadata: input.metadata ?? {},
      now: yield* nowSeconds
    })
    yield* publish("created", connection)
    return { connection, authToken }
  })

  const list = Effect.fn("Connections.list")(function* (filter: ListFilter = {}) {
    return yield* repo.list(filter)
  })

  // one row past the cap is read to tell a list at the cap from one past it
  const listBounded = Effect.fn("Connections.listBounded")(function* (filter: ListFilter = {}) {
    const rows = yield* repo.list(filter, listCap + 1)
    if (rows.length > listCap) return yield* new ListTooLong({ max: listCap })
    return rows
  })

  const page = Effect.fn("Connections.page")(function* (args: PageArgs) {
    const first = yield* Page.pageSize(args.first)
    const after = args.after === undefined ? undefined : yield* Page.decodeCursor(args.after)
    const given = args.filter ?? {}
    const filter = given.uuids === undefined ? given : { ...given, uuids: yield* parseUuids(given.uuids) }
    const rows = yield* repo.page(filter, after, first + 1)
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first, filter }
  })

  const count = Effect.fn("Connections.count")(function* (filter: Page.PageFilter) {
    return yield* repo.count(filter)
  })

  const counts = repo.counts.pipe(Effect.withSpan("Connections.counts"))

  const get = Effect.fn("Connections.get")(function* (uuid: string) {
    return yield* repo.findByUuid(yield* parseUuid(uuid)).pipe(found(uuid))
  })

  // bounded before any work: a list past the cap is refused whole; duplicates go in one pass
  const parseUuids = Effect.fn("Connections.parseUuids")(function* (uuids: ReadonlyArray<string>) {
    if (uuids.length > maxUuids) {
      return yield* new InvalidInput({
        field: "uuids",
        message: `uuids holds ${uuids.length} ids; at most ${maxUuids} are allowed (MAX_UUIDS)`
      })
    }
    return Array.from(new Set(yield* Effect.forEach(uuids, parseUuid)))
  })

  const getMany = Effect.fn("Connections.getMany")(function* (uuids: ReadonlyArray<string>) {
    const wanted = yield* parseUuids(uuids)
    const rows = yield* repo.findByUuids(wanted)
    const byUuid = new Map(rows.map((row) => [row.uuid as string, row]))
    return yield* Effect.forEach(wanted, (uuid) =>
      Option.fromNullable(byUuid.get(uuid)).pipe(Effect.mapError(() => new ConnectionNotFound({ uuid })))
    )
  })

  const updateStatus = Effect.fn("Connections.updateStatus")(function* (
    uuid: string,
    status: ConnectionStatus,
    reason?: string | undefined
  ) {
    const given = reason === undefined || reason.trim() === "" ? undefined : reason
    const connection = yield* repo
      .setAdminStatus(yield* parseUuid(uuid), status, given, yield* nowSeconds)
      .pipe(found(uuid))
    yield* publish("updated", connection)
    return connection
  })

  // the remote is not told: a name is this registry's own
  const rename = Effect.fn("Connections.rename")(function* (uuid: string, name: string) {
    const problem = nameProblem(name)
    if (problem !== undefined) return yield* new InvalidInput({ field: "name", message: problem })
    const connection = yield* repo.rename(yield* parseUuid(uuid), name, yield* nowSeconds).pipe(found(uuid))
    yield* publish("updated", connection)
    return connection
  })

  const remove = Effect.fn("Connections.delete")(function* (uuid: string) {
    const connection = yield* repo.remove(yield* parseUuid(uuid)).pipe(found(uuid))
    yield* publish("deleted", connection)
    return connection
  })

  const findSenderByHash = Effect.fn("Connections.findSenderByHash")(function* (hash: Redacted.Redacted<string>) {
    return yield* repo.findSenderByHash(hash)
  })

  const findBySiteAndHash = Effect.fn("Connections.findBySiteAndHash")(function* (
    siteUrl: string,
    hash: Redacted.Redacted<string>
  ) {
    return yield* repo.findBySiteAndHash(siteUrl, hash)
  })

  const findReceiverBySite = Effect.fn("Connections.findReceiverBySite")(function* (siteUrl: string) {
    return yield* repo.findReceiverBySite(siteUrl)
  })

  // registrations from other sites waiting for an admin (capped by the sync API)
  const countPendingReceivers = repo.countPendingReceivers.pipe(Effect.withSpan("Connections.countPendingReceivers"))

  // Conditional writes: when the guard refuses, the current row is returned and nothing is published.
  const writeOrCurrent = (uuid: ConnectionUuid, write: Effect.Effect<Option.Option<Connection>, StoreUnavailable>) =>
    Effect.flatMap(
      write,
      Option.match({
        onNone: () => repo.findByUuid(uuid).pipe(found(uuid)),
        onSome: (connection) => Effect.as(publish("updated", connection), connection)
      })
    )

  const setStatusFromRemote = Effect.fn("Connections.setStatusFromRemote")(function* (
    uuid: ConnectionUuid,
    status: RemoteSettableStatus
  ) {
    return yield* writeOrCurrent(uuid, repo.setStatusIfChanged(uuid, status, yield* nowSeconds))
  })

  const autoActivate = Effect.fn("Connections.autoActivate")(function* (uuid: ConnectionUuid) {
    return yield* writeOrCurrent(uuid, repo.autoActivate(uuid, yield* nowSeconds))
  })

  const recordRemoteNotification = Effect.fn("Connections.recordRemoteNotification")(function* (
    uuid: ConnectionUuid,
    notification: RemoteNotification
  ) {
    const encoded = Schema.encodeSync(RemoteNotification)(notification)
    const connection = yield* repo.setRemoteNotification(uuid, encoded, yield* nowSeconds).pipe(found(uuid))
    yield* publish("updated", connection)
    return connection
  })

  const suspendSevered = Effect.fn("Connections.suspendSevered")(function* (uuid: ConnectionUuid) {
    const suspended = yield* repo.suspendSevered(uuid, yield* nowSeconds)
    if (Option.isSome(suspended)) yield* publish("updated", suspended.value)
    return suspended
  })

  return {
    create,
    list,
    listBounded,
    page,
    count,
    counts,
    get,
    getMany,
    updateStatus,
    rename,
    delete: remove,
    findSenderByHash,
    findBySiteAndHash,
    findReceiverBySite,
    countPendingReceivers,
    setStatusFromRemote,
    autoActivate,
    recordRemoteNotification,
    suspendSevered,
    changes: feed.changes,
    subscribe: feed.subscribe
  } satisfies ConnectionsApi
})

// The registry: its rows (CRUD, the sync API's lookups, the guarded writes) and the changes made to them.
// Every write that changed a row is told once, after it committed; a refused or idle one tells nothing.
// the sync API's lookups are the store's, as they are
export interface ConnectionsApi
  extends Pick<Repo, "findSenderByHash" | "findBySiteAndHash" | "findReceiverBySite" | "countPendingReceivers"> {
  readonly create: (
    input: CreateInput
  ) => Effect.Effect<
    { readonly connection: Connection; readonly authToken: Redacted.Redacted<string> },
    InvalidInput | InvalidSiteUrl | SelfConnection | DuplicateConnection | DuplicateToken | StoreUnavailable
  >
  // every row, for this process's own work (a round, the watcher's registry)
  readonly list: (filter?: ListFilter) => Effect.Effect<Array<Connection>, StoreUnavailable>
  // for a client: ListTooLong past MAX_LIST
  readonly listBounded: (filter?: ListFilter) => Effect.Effect<Array<Connection>, ListTooLong | StoreUnavailable>
  // InvalidInput for a first out of 1…500 (field first) or a cursor this API did not give (field after)
  readonly page: (args: PageArgs) => Effect.Effect<ConnectionPage, InvalidInput | StoreUnavailable>
  readonly count: (filter: Page.PageFilter) => Effect.Effect<number, StoreUnavailable>
  readonly counts: Effect.Effect<Array<Count>, StoreUnavailable>
  readonly get: (uuid: string) => Effect.Effect<Connection, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly getMany: (
    uuids: ReadonlyArray<string>
  ) => Effect.Effect<Array<Connection>, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly updateStatus: (
    uuid: string,
    status: ConnectionStatus,
    reason?: string | undefined
  ) => Effect.Effect<Connection, InvalidInput | ConnectionNotFound | StoreUnavailable>
  // an admin's new name for a connection (not told to the remote)
  readonly rename: (
    uuid: string,
    name: string
  ) => Effect.Effect<Connection, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly delete: (uuid: string) => Effect.Effect<Connection, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly setStatusFromRemote: (
    uuid: ConnectionUuid,
    status: RemoteSettableStatus
  ) => Effect.Effect<Connection, ConnectionNotFound | StoreUnavailable>
  readonly autoActivate: (uuid: ConnectionUuid) => Effect.Effect<Connection, ConnectionNotFound | StoreUnavailable>
  readonly recordRemoteNotification: (
    uuid: ConnectionUuid,
    notification: RemoteNotification
  ) => Effect.Effect<Connection, ConnectionNotFound | StoreUnavailable>
  readonly suspendSevered: (uuid: ConnectionUuid) => Found
  readonly changes: Stream.Stream<ConnectionChange>
  readonly subscribe: Effect.Effect<Queue.Dequeue<ConnectionChange>, never, Scope.Scope>
}

export class Connections extends Context.Tag("syncwatch/Connections")<Connections, ConnectionsApi>() {
  // with the feed and the store beneath it, for Connections/Replication.ts on PostgreSQL
  static readonly Default = Layer.scoped(Connections, make).pipe(
    Layer.provideMerge(ConnectionFeed.layer),
    Layer.provideMerge(ConnectionsRepo.layer),
    Layer.provide(SiteConfig.Default)
  )
}

// B §1.7: scheme, host and port (default ports filled in), case-insensitive, path ignored;
// an unparseable URL of ours skips the check as in the reference
const isSameSite = (siteUrl: string, ownUrl: string): boolean => {
  const key = (url: string) => {
    try {
      const parsed = new URL(url.replace(/\/+$/, "").toLowerCase())
      const port = parsed.port === "" ? (parsed.protocol === "https:" ? "443" : "80") : parsed.port
      return `${parsed.protocol}//${parsed.hostname}:${port}`
    } catch {
      return undefined
    }
  }
  const own = key(ownUrl)
  return own !== undefined && own === key(siteUrl)
}
