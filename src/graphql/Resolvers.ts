import { Effect, Option, Redacted, Schema } from "effect"
import type { YogaInitialContext } from "graphql-yoga"
import { Connections } from "../Connections.js"
import { type Connection, ConnectionStatus, Direction, RemoteNotification, StatusActor } from "../Domain/Connection.js"
import {
  ChangeKind,
  type ConnectionChange,
  SenderStatus,
  type StatusEvent,
  type StatusRound,
  VerificationOutcome
} from "../Domain/Events.js"
import { CheckOutcome, encodeCursor } from "../Domain/Page.js"
import { type RemoteNotice, RemoteNoticeOutcome } from "../Domain/RemoteNotice.js"
import { Role } from "../Domain/Role.js"
import type { StatusChange } from "../Domain/StatusChange.js"
import { UptimeWindow } from "../Domain/Uptime.js"
import { Maintenances } from "../Maintenance.js"
import { Pairing } from "../Pairing.js"
import { Rollups } from "../Rollups.js"
import { Watcher } from "../Watcher.js"
import type { Bridge, ServerContext } from "./Bridge.js"
import type { Resolvers } from "./generated/resolvers.js"
import type { RoleContext } from "./Roles.js"
import { DateTimeScalar } from "./Scalars.js"
import type { StreamedContext } from "./Streamed.js"

export interface UserContext extends RoleContext {
  // what the remote sites were told during this operation, also sent back in extensions.remoteNotices
  // (deprecated: the mutations' payloads carry it; kept one more release)
  readonly remoteNotices: Array<RemoteNotice>
}
export type Context = YogaInitialContext & ServerContext & UserContext & StreamedContext

const decodeNotification = Schema.decodeUnknownOption(RemoteNotification)
const optional = <A>(value: A | null | undefined): A | undefined => value ?? undefined
const redacted = (value: string | null | undefined) => (value == null ? undefined : Redacted.make(value))

const noticeTo =
  (ctx: Context) =>
  ({ notice }: { readonly notice: RemoteNotice }) =>
    Effect.sync(() => ctx.remoteNotices.push(notice))

// GraphQL enum values are the upper-cased domain literals (as in codegen.ts)
const enumOf = <const V extends string>(schema: { readonly literals: ReadonlyArray<V> }) =>
  Object.fromEntries(schema.literals.map((value) => [value.toUpperCase(), value])) as { [K in V as Uppercase<K>]: K }

export const make = Effect.gen(function* () {
  const connections = yield* Connections
  const watcher = yield* Watcher
  const pairing = yield* Pairing
  const rollups = yield* Rollups
  const maintenances = yield* Maintenances
  return (bridge: Bridge): Resolvers<Context> => ({
    DateTime: DateTimeScalar,
    Direction: enumOf(Direction),
    ConnectionStatus: enumOf(ConnectionStatus),
    SenderStatus: enumOf(SenderStatus),
    VerificationOutcome: enumOf(VerificationOutcome),
    ChangeKind: enumOf(ChangeKind),
    RemoteNoticeOutcome: enumOf(RemoteNoticeOutcome),
    StatusActor: enumOf(StatusActor),
    Role: enumOf(Role),
    UptimeWindow: enumOf(UptimeWindow),
    CheckOutcome: enumOf(CheckOutcome),
    StatusEvent: { __resolveType: (event) => event._tag },
    Connection: {
      remoteNotification: (connection: Connection) =>
        Option.getOrNull(decodeNotification(connection.metadata["remote_notification"])),
      lastSenderStatus: (connection, _, ctx) => bridge.run(watcher.lastSenderStatus(connection), ctx),
      lastVerification: (connection, _, ctx) => bridge.run(watcher.lastVerification(connection), ctx),
      statusHistory: (connection, args, ctx) =>
        bridge.run(watcher.statusHistory(connection, optional(args.limit)), ctx),
      uptime: (connection, args, ctx) => bridge.run(rollups.uptime(connection.uuid, args.window), ctx),
      responseTime: (connection, args, ctx) => bridge.run(rollups.responseTime(connection.uuid, args.window), ctx),
      daily: (connection, args, ctx) => bridge.run(rollups.daily(connection.uuid, optional(args.days)), ctx),
      maintenance: (connection, _, ctx) => bridge.run(maintenances.current(connection.uuid), ctx)
    },
    ConnectionPage: {
      edges: (page) => page.rows.map((node) => ({ cursor: encodeCursor(node), node })),
      pageInfo: (page) => ({
        hasNextPage: page.hasNextPage,
        endCursor: page.rows.length === 0 ? null : encodeCursor(page.rows[page.rows.length - 1]!)
      }),
      totalCount: (page, _, ctx) => bridge.run(connections.count(page.filter), ctx)
    },
    Maintenance: {
      active: (maintenance, _, ctx) => bridge.run(maintenances.isActive(maintenance), ctx)
    },
    RemoteNotification: {
      notifiedAt: (n) => n.notified_at,
      success: (n) => n.notification_success,
      status: (n) => n.notification_status,
      message: (n) => n.notification_message,
      remoteConnectionUuid: (n) => n.remote_connection_uuid,
      httpStatus: (n) => n.http_status
    },
    Query: {
      viewer: (_, __, ctx) => ({ role: ctx.role ?? "viewer" }),
      connections: (_, args, ctx, info) =>
        bridge.run(
          connections.listBounded({ direction: optional(args.direction), status: optional(args.status) }),
          ctx,
          info
        ),
      connectionPage: (_, args, ctx, info) =>
        bridge.run(
          connections.page({
            first: optional(args.first),
            after: optional(args.after),
            filter:
              args.filter == null
                ? undefined
                : {
                    direction: optional(args.filter.direction),
                    status: optional(args.filter.status),
                    outcome: optional(args.filter.outcome),
                    search: optional(args.filter.search),
                    uuids: optional(args.filter.uuids)
                  }
          }),
          ctx,
          info
        ),
      connectionCounts: (_, __, ctx, info) => bridge.run(connections.counts, ctx, info),
      connection: (_, args, ctx, info) =>
        bridge.run(
          connections.get(args.uuid).pipe(Effect.catchTag("ConnectionNotFound", () => Effect.succeed(null))),
          ctx,
          info
        ),
      remoteSite: (_, args, ctx, info) => bridge.run(pairing.inspectRemote(args.siteUrl), ctx, info),
      // written as its results arrive when Streamed.ts took the response: what graphql then completes is empty
      senderStatuses: (_, args, ctx, info) =>
        bridge.run(
          Effect.map(
            watcher.senderStatuses(optional(args.uuids), optional(args.maxAgeSeconds), ctx.streamed?.push),
            (statuses) => (ctx.streamed?.committed === true ? [] : statuses)
          ),
          ctx,
          info
        ),
      maintenances: (_, args, ctx, info) => bridge.run(maintenances.list(optional(args.active)), ctx, info)
    },
    Mutation: {
      createConnection: (_, { input }, ctx, info) =>
        bridge.run(
          pairing
            .create({
              name: input.name,
              direction: input.direction,
              siteUrl: input.siteUrl,
              authToken: redacted(input.authToken),
              status: optional(input.status),
              remoteNotified: optional(input.remoteNotified),
              notifyRemote: optional(input.notifyRemote),
              password: redacted(input.password)
            })
            .pipe(Effect.map((created) => ({ ...created, authToken: Redacted.value(created.authToken) }))),
          ctx,
          info
        ),
      updateConnectionStatus: (_, args, ctx, info) =>
        bridge.run(
          pairing.updateStatus(args.uuid, args.status, optional(args.reason)).pipe(
            Effect.tap(noticeTo(ctx)),
            Effect.map(({ connection, notice }) => ({ connection, remoteNotice: notice }))
          ),
          ctx,
          info
        ),
      renameConnection: (_, args, ctx, info) => bridge.run(connections.rename(args.uuid, args.name), ctx, info),
      deleteConnection: (_, args, ctx, info) =>
        bridge.run(
          pairing.delete(args.uuid).pipe(
            Effect.tap(noticeTo(ctx)),
            Effect.map(({ notice }) => ({ deleted: true, remoteNotice: notice }))
          ),
          ctx,
          info
        ),
      verifyReceiverConnections: (_, args, ctx, info) =>
        bridge.run(watcher.verifySenders(optional(args.uuids)), ctx, info),
      createMaintenance: (_, { input }, ctx, info) =>
        bridge.run(
          maintenances.create({
            siteUrl: optional(input.siteUrl),
            uuids: optional(input.uuids),
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            reason: optional(input.reason)
          }),
          ctx,
          info
        ),
      endMaintenance: (_, args, ctx, info) => bridge.run(maintenances.end(args.id), ctx, info)
    },
    Subscription: {
      statusEvents: {
        subscribe: (_, args, ctx, info) =>
          bridge.stream(watcher.statusEvents(optional(args.everySeconds), ctx.role ?? "viewer"), ctx, info),
        resolve: (event: StatusEvent) => event
      },
      statusRounds: {
        subscribe: (_, args, ctx, info) =>
          bridge.stream(watcher.statusRounds(optional(args.everySeconds), ctx.role ?? "viewer"), ctx, info),
        resolve: (round: StatusRound) => round
      },
      connectionChanged: {
        subscribe: (_, __, ctx, info) => bridge.stream(connections.changes, ctx, info),
        resolve: (change: ConnectionChange) => change
      },
      statusChanged: {
        subscribe: (_, __, ctx, info) => bridge.stream(watcher.statusChanged, ctx, info),
        resolve: (change: StatusChange) => change
      }
    }
  })
})
