import { Config, DateTime, Duration, Effect, PubSub, Schedule, Stream } from "effect"
import type { ConnectionUuid } from "./Domain/Connection.js"
import { InvalidInput } from "./Domain/Errors.js"
import { StatusChange } from "./Domain/StatusChange.js"
import { HistoryRepo } from "./History/Repo.js"
import * as Metrics from "./Metrics.js"
import * as Setting from "./Setting.js"
import * as WriteBehind from "./WriteBehind.js"

export const MAX_HISTORY_LIMIT = 1000

// checks in a row that must agree before a changed outcome is recorded (Domain/Confirm.ts); 1: at once
export const confirmAfter = Config.integer("CONFIRM_AFTER").pipe(
  Config.validate({ message: "CONFIRM_AFTER must be an integer >= 1", validation: (n) => n >= 1 }),
  Config.withDefault(1)
)

// Every change of a connection's check outcome (or of its status by a sever), kept for
// HISTORY_RETENTION_DAYS and published to statusChanged subscribers and the webhook as it is recorded;
// the store gets it behind, in batches (at the latest when the watcher's round ends or the server stops).
export class History extends Effect.Service<History>()("syncwatch/History", {
  scoped: Effect.gen(function* () {
    const repo = yield* HistoryRepo
    const retentionDays = yield* Setting.integer("HISTORY_RETENTION_DAYS", { min: 1, unit: "days" }).pipe(
      Config.withDefault(30)
    )
    const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<StatusChange>(), PubSub.shutdown)
    // the rows this process records: the webhook's and another instance's to hear of, each sent once and at
    // once (not when their batch reaches the store: a long round must not hold back an alert or a change)
    const written = yield* Effect.acquireRelease(PubSub.unbounded<StatusChange>(), PubSub.shutdown)
    // the end of a batch of checks (a round, a query's or a mutation's checks) and how many were checked: the
    // rows written before it are told to the webhook together (one alert per incident)
    const settled = yield* Effect.acquireRelease(PubSub.unbounded<number>(), PubSub.shutdown)
    const clock = yield* Effect.clock

    // written behind, in batches: reads of the store flush first, so they see every change recorded. While
    // the store is down the rows wait here, at most HISTORY_MAX_PENDING of them: past that the oldest are
    // dropped (counted: syncwatch_history_rows_dropped_total), so a long outage cannot exhaust the memory.
    const maxPending = yield* Setting.integer("HISTORY_MAX_PENDING", { min: 1, unit: "rows" }).pipe(
      Config.withDefault(50_000)
    )
    let pending: Array<StatusChange> = []
    // rows before `head` are dropped: the array is cut only now and then, so dropping one costs nothing
    let head = 0
    // dropped since the store last took a batch; told once while it is down and once when it is back
    let dropped = 0
    let droppedTold = false
    // connections deleted while a batch is being written: if the store refuses it, their rows are not put back
    const forgotten = new Set<ConnectionUuid>()
    const capped = () => {
      const excess = pending.length - head - maxPending
      if (excess > 0) {
        head += excess
        dropped += excess
        Metrics.historyRowsDropped(excess)
      }
      if (head > 1024 && head * 2 > pending.length) {
        pending = pending.slice(head)
        head = 0
      }
    }
    const told = Effect.suspend(() => {
      if (dropped === 0 || droppedTold) return Effect.void
      droppedTold = true
      return Effect.logError(
        `History: over ${maxPending} rows wait for the store; the oldest are dropped (HISTORY_MAX_PENDING)`
      )
    })
    const writer = yield* WriteBehind.make({
      name: "History",
      limit: 500,
      pending: () => pending.length - head,
      take: () => {
        if (pending.length === head) return undefined
        const batch = head === 0 ? pending : pending.slice(head)
        pending = []
        head = 0
        forgotten.clear()
        return batch
      },
      putBack: (batch) => {
        const kept = forgotten.size === 0 ? batch : batch.filter((change) => !forgotten.has(change.connectionUuid))
        pending = kept.concat(pending.slice(head))
        head = 0
        capped()
      },
      write: (batch) =>
        repo.insertAll(batch).pipe(
          Effect.tapError(() => told),
          Effect.tap(() => {
            if (dropped === 0) return Effect.void
            const lost = dropped
            dropped = 0
            droppedTold = false
            return Effect.logError(`History: the store is back; ${lost} rows were dropped while it was down`)
          })
        )
    })

    // a change recorded now and published at once (the watcher records from inside a check's callback)
    const record = (connectionUuid: ConnectionUuid, from: string | null, to: string, reason: string | null) => {
      const at = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
      const change = new StatusChange({ connectionUuid, at, from, to, reason }, { disableValidation: true })
      pending.push(change)
      capped()
      writer.added()
      pubsub.unsafeOffer(change)
      written.unsafeOffer(change)
      return change
    }

    // a deleted connection's rows not yet written are not written (its stored rows went with it)
    const forget = (connectionUuid: ConnectionUuid) => {
      forgotten.add(connectionUuid)
      pending = pending.slice(head).filter((change) => change.connectionUuid !== connectionUuid)
      head = 0
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
    // fixed, not spaced: a prune that ends late (PostgreSQL answers asynchronously) does not push the next one
    // back; one the store could not serve is logged, and the next hour's goes on
    yield* prune.pipe(
      Effect.catchTag("StoreUnavailable", (error) => Effect.logWarning("History: the hourly prune was skipped", error)),
      Effect.repeat(Schedule.fixed(Duration.hours(1))),
      Effect.forkScoped
    )

    // told of each row another instance recorded, synchronously and before this process's subscribers are
    // (the watcher's last-known outcomes: a change another instance recorded is not recorded here again)
    const hearers = new Set<(change: StatusChange) => void>()
    const onHeard = (hear: (change: StatusChange) => void) =>
      Effect.acquireRelease(
        Effect.sync(() => void hearers.add(hear)),
        () => Effect.sync(() => void hearers.delete(hear))
      )

    // a row another instance wrote (Cluster/Relay.ts), for this process's statusChanged subscribers
    const received = (change: StatusChange) =>
      Effect.suspend(() => {
        for (const hear of hearers) hear(change)
        return Effect.asVoid(PubSub.publish(pubsub, change))
      })

    return {
      record,
      append,
      forget,
      flush: writer.flush,
      settle: (checked: number) => Effect.zipRight(PubSub.publish(settled, checked), writer.flush),
      received,
      onHeard,
      latest,
      // what each connection's history last recorded, from the store (what is pending written first)
      latestOutcomes: Effect.zipRight(writer.flush, repo.latestOutcomes),
      prune,
      changes: Stream.fromPubSub(pubsub),
      subscribe: PubSub.subscribe(pubsub),
      subscribeWritten: PubSub.subscribe(written),
      subscribeSettled: PubSub.subscribe(settled)
    } as const
  }),
  dependencies: [HistoryRepo.layer]
}) {}
