import { Context, Effect, Layer, PubSub, type Queue, type Scope, Stream } from "effect"
import type { StoreUnavailable } from "../Domain/Errors.js"
import type { ConnectionChange } from "../Domain/Events.js"
import { SharedRegistry } from "../SharedRegistry.js"
import { ConnectionsRepo } from "./Repo.js"
import * as View from "./View.js"

// What the registry tells: every change to this process's subscribers (the watcher's registry among them),
// and the changes written by this process to the other instances (Connections/Replication.ts). With a shared
// registry it keeps the view of what the subscribers were told of each row, read here before any subscriber
// reads the registry and kept with every change told.
export interface Feed {
  // to this process's subscribers
  readonly tell: (change: ConnectionChange) => Effect.Effect<void>
  // written here, once committed: to the other instances and to this process's subscribers
  readonly wrote: (change: ConnectionChange) => Effect.Effect<void>
  readonly changes: Stream.Stream<ConnectionChange>
  readonly subscribe: Effect.Effect<Queue.Dequeue<ConnectionChange>, never, Scope.Scope>
  readonly subscribeWritten: Effect.Effect<Queue.Dequeue<ConnectionChange>, never, Scope.Scope>
  readonly view: View.View | undefined
  // the whole registry read again and compared with the view (see Replication.catchUp)
  readonly reconcile: (
    view: View.View,
    apply: (change: ConnectionChange) => Effect.Effect<unknown>
  ) => Effect.Effect<number, StoreUnavailable>
}

const make = Effect.gen(function* () {
  const repo = yield* ConnectionsRepo
  const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<ConnectionChange>(), PubSub.shutdown)
  const written = yield* Effect.acquireRelease(PubSub.unbounded<ConnectionChange>(), PubSub.shutdown)
  const view = (yield* SharedRegistry) ? View.make() : undefined
  const caughtUp = yield* Effect.makeSemaphore(1)

  const tell = (change: ConnectionChange) =>
    Effect.suspend(() => {
      view?.record(change)
      return PubSub.publish(pubsub, change)
    })

  // Each row that differs from the view, and each row gone, is handed to `apply`. Compared one at a time just
  // before it is applied, so a change published meanwhile (heard, or written here) is not overwritten by the
  // read's older copy.
  const reconcile = (current: View.View, apply: (change: ConnectionChange) => Effect.Effect<unknown>) =>
    Effect.acquireUseRelease(
      Effect.sync(current.begin),
      (mark) =>
        Effect.gen(function* () {
          const read = new Set<string>()
          let applied = 0
          for (const row of yield* repo.list({})) {
            read.add(row.uuid)
            const change = current.compare(mark, row)
            if (change !== undefined) {
              applied += 1
              yield* apply(change)
            }
          }
          for (const change of current.gone(mark, read)) {
            applied += 1
            yield* apply(change)
          }
          return applied
        }),
      () => Effect.sync(current.end)
    ).pipe(caughtUp.withPermits(1))

  if (view !== undefined) yield* reconcile(view, (change) => Effect.sync(() => view.record(change)))

  return {
    tell,
    wrote: (change: ConnectionChange) => Effect.zipRight(PubSub.publish(written, change), tell(change)),
    changes: Stream.fromPubSub(pubsub),
    subscribe: PubSub.subscribe(pubsub),
    subscribeWritten: PubSub.subscribe(written),
    view,
    reconcile
  } satisfies Feed
})

export class ConnectionFeed extends Context.Tag("syncwatch/ConnectionFeed")<ConnectionFeed, Feed>() {
  static readonly layer = Layer.scoped(ConnectionFeed, make)
}
