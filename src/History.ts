import { Config, DateTime, Duration, Effect, PubSub, Schedule, Stream } from "effect"
import type { ConnectionUuid } from "./Domain/Connection.js"
import { InvalidInput } from "./Domain/Errors.js"
import { StatusChange } from "./Domain/StatusChange.js"
import { HistoryRepo } from "./History/Repo.js"
import * as WriteBehind from "./WriteBehind.js"

export const MAX_HISTORY_LIMIT = 1000

// Every change of a connection's check outcome (or of its status by a sever), kept for
// HISTORY_RETENTION_DAYS and published to statusChanged subscribers and the webhook as it is recorded;
// the store gets it behind, in batches (at the latest when the watcher's round ends or the server stops).
export class History extends Effect.Service<History>()("syncwatch/History", {
  scoped: Effect.gen(function* () {
    const repo = yield* HistoryRepo
    const retentionDays = yield* Config.integer("HISTORY_RETENTION_DAYS").pipe(
      Config.validate({ message: "HISTORY_RETENTION_DAYS must be an integer >= 1", validation: (n) => n >= 1 }),
      Config.withDefault(30)
    )
    const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<StatusChange>(), PubSub.shutdown)
    // the rows this process records: the webhook's and another instance's to hear of, each sent once and at
    // once (not when their batch reaches the store: a long round must not hold back an alert or a change)
    const written = yield* Effect.acquireRelease(PubSub.unbounded<StatusChange>(), PubSub.shutdown)
    const clock = yield* Effect.clock

    // written behind, in batches: reads of the store flush first, so they see every change recorded
    let pending: Array<StatusChange> = []
    const writer = yield* WriteBehind.make({
      name: "History",
      limit: 500,
      pending: () => pending.length,
      take: () => {
        if (pending.length === 0) return undefined
        const batch = pending
        pending = []
        return batch
      },
      write: repo.insertAll
    })

    // a change recorded now and published at once (the watcher records from inside a check's callback)
    const record = (connectionUuid: ConnectionUuid, from: string | null, to: string, reason: string | null) => {
      const at = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
      const change = new StatusChange({ connectionUuid, at, from, to, reason }, true)
      pending.push(change)
      writer.added()
      pubsub.unsafeOffer(change)
      written.unsafeOffer(change)
      return change
    }

    const append = Effect.fn("History.append")(
      (connectionUuid: ConnectionUuid, from: string | null, to: string, reason: string | null) =>
        Effect.sync(() => record(connectionUuid, from, to, reason))
    )

    const latest = Effect.fn("History.latest")(function* (connectionUuid: ConnectionUuid, limit = 50) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
        return yield* new InvalidInput({
          field: "limit",
          message: `limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}`
        })
      }
      yield* writer.flush
      return yield* repo.latest(connectionUuid, limit)
    })

    const prune = Effect.zipRight(
      writer.flush,
      Effect.flatMap(DateTime.now, (now) => repo.pruneBefore(DateTime.subtract(now, { days: retentionDays })))
    )
    // fixed, not spaced: a prune that ends late (PostgreSQL answers asynchronously) does not push the next one back
    yield* prune.pipe(Effect.repeat(Schedule.fixed(Duration.hours(1))), Effect.forkScoped)

    // a row another instance wrote (Cluster/Relay.ts), for this process's statusChanged subscribers
    const received = (change: StatusChange) => Effect.asVoid(PubSub.publish(pubsub, change))

    return {
      record,
      append,
      flush: writer.flush,
      received,
      latest,
      prune,
      changes: Stream.fromPubSub(pubsub),
      subscribe: PubSub.subscribe(pubsub),
      subscribeWritten: PubSub.subscribe(written)
    } as const
  }),
  dependencies: [HistoryRepo.layer]
}) {}
