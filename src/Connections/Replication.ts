import { Context, Effect, Layer, Option, type Queue, type Scope } from "effect"
import type { ConnectionUuid } from "../Domain/Connection.js"
import type { StoreUnavailable } from "../Domain/Errors.js"
import { type ChangeKind, ConnectionChange } from "../Domain/Events.js"
import { ConnectionFeed } from "./Feed.js"
import { ConnectionsRepo } from "./Repo.js"

// Between instances on one PostgreSQL registry (used by Cluster/Relay.ts): what this one wrote, to tell the
// others; a change another wrote, to this process's subscribers; and, once this one listens again, what it
// missed meanwhile. Rows are read back from the store: a notice carries a uuid and a kind only.
export interface ReplicationApi {
  readonly received: (kind: ChangeKind, uuid: ConnectionUuid) => Effect.Effect<void, StoreUnavailable>
  // published to this process's subscribers as a heard change would be; how many
  readonly catchUp: Effect.Effect<number, StoreUnavailable>
  readonly subscribeWritten: Effect.Effect<Queue.Dequeue<ConnectionChange>, never, Scope.Scope>
}

const make = Effect.gen(function* () {
  const feed = yield* ConnectionFeed
  const repo = yield* ConnectionsRepo
  const view = feed.view

  // the row as it is now, to this process's subscribers. With a view, compared with it like a catch-up's row:
  // a change published during the read (written here) is not undone by the read's older copy, and a row the
  // subscribers already know is not told twice.
  const received = Effect.fn("Replication.received")(function* (kind: ChangeKind, uuid: ConnectionUuid) {
    if (kind === "deleted") {
      yield* feed.tell(new ConnectionChange({ kind, connectionUuid: uuid, connection: null }))
      return
    }
    if (view === undefined) {
      const row = yield* repo.findByUuid(uuid)
      if (Option.isSome(row))
        yield* feed.tell(new ConnectionChange({ kind, connectionUuid: uuid, connection: row.value }))
      return
    }
    yield* Effect.acquireUseRelease(
      Effect.sync(view.begin),
      (mark) =>
        Effect.flatMap(repo.findByUuid(uuid), (row) => {
          const change = Option.isSome(row) ? view.compare(mark, row.value) : undefined
          return change === undefined ? Effect.void : Effect.asVoid(feed.tell(change))
        }),
      () => Effect.sync(view.end)
    )
  })

  const catchUp = Effect.withSpan(
    view === undefined ? Effect.succeed(0) : feed.reconcile(view, feed.tell),
    "Replication.catchUp"
  )

  return { received, catchUp, subscribeWritten: feed.subscribeWritten } satisfies ReplicationApi
})

export class Replication extends Context.Tag("syncwatch/Replication")<Replication, ReplicationApi>() {
  static readonly layer = Layer.effect(Replication, make)
}
