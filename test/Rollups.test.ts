import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, TestClock, TestServices } from "effect"
import { Rollups } from "../src/Rollups.js"
import { Watcher } from "../src/Watcher.js"
import { STORES } from "./utils/Stores.js"
import { switchable } from "./utils/Switchable.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"

describe.each(STORES)("hourly rollups on $name", (store) => {
  it.scoped("one hour down in four is an uptime of exactly 0.75, and the days and response times add up", () =>
    Effect.gen(function* () {
      const remote = yield* switchable
      const connection = yield* receiver(remote.url, "t1")
      const watcher = yield* Watcher
      const rollups = yield* Rollups
      assert.isNull(yield* rollups.uptime(connection.uuid, "day"), "no checks: null")
      for (const up of [true, false, true, true]) {
        remote.state.up = up
        yield* watcher.senderStatuses()
        yield* TestClock.adjust("30 minutes")
        yield* watcher.senderStatuses()
        yield* TestClock.adjust("30 minutes")
      }
      assert.strictEqual(yield* rollups.uptime(connection.uuid, "day"), 0.75)
      assert.strictEqual(yield* rollups.uptime(connection.uuid, "quarter"), 0.75)
      const responseTime = yield* rollups.responseTime(connection.uuid, "week")
      assert.strictEqual(responseTime.checks, 8, "a 503 was answered: it has a response time")
      assert.isNotNull(responseTime.p95Ms)
      const days = yield* rollups.daily(connection.uuid, 2)
      assert.deepStrictEqual(
        days.map(({ date, uptime, checks, healthy, maintenance }) => ({ date, uptime, checks, healthy, maintenance })),
        [
          { date: "1969-12-31", uptime: null, checks: 0, healthy: 0, maintenance: 0 },
          { date: "1970-01-01", uptime: 0.75, checks: 8, healthy: 6, maintenance: 0 }
        ]
      )
      // the day window is the last 24 hours: the down hour leaves it 24 hours after it ended
      yield* TestClock.adjust("20 hours")
      assert.strictEqual(yield* rollups.uptime(connection.uuid, "day"), 2 / 3)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* rollups.uptime(connection.uuid, "day"), 1)
    }).pipe(Effect.provide(watcherLayer({}, store.layer)))
  )

  it.scoped("keeps rollups ROLLUP_RETENTION_DAYS days", () =>
    Effect.gen(function* () {
      const remote = yield* switchable
      const connection = yield* receiver(remote.url, "t1")
      const watcher = yield* Watcher
      const rollups = yield* Rollups
      yield* watcher.senderStatuses()
      yield* TestClock.adjust("2 days")
      assert.strictEqual(yield* rollups.uptime(connection.uuid, "week"), 1, "2 days old: kept")
      yield* TestClock.adjust("1 day")
      // the prune's DELETE is real I/O on PostgreSQL: awaited, boundedly, on the live clock
      const left = yield* rollups.uptime(connection.uuid, "week").pipe(
        Effect.filterOrFail(
          (uptime) => uptime === null,
          () => "not pruned yet"
        ),
        Effect.retry(Schedule.spaced("20 millis")),
        Effect.timeout("10 seconds"),
        TestServices.provideLive
      )
      assert.isNull(left)
    }).pipe(Effect.provide(watcherLayer({ ROLLUP_RETENTION_DAYS: "2" }, store.layer)))
  )
})

describe("daily", () => {
  it.scoped.each([0, 91, 1.5])("refuses days = %s (1 to ROLLUP_RETENTION_DAYS)", (days) =>
    Effect.gen(function* () {
      const remote = yield* switchable
      const connection = yield* receiver(remote.url, "t1")
      const rollups = yield* Rollups
      const error = yield* Effect.flip(rollups.daily(connection.uuid, days))
      assert.strictEqual(error._tag, "InvalidInput")
    }).pipe(Effect.provide(watcherLayer()))
  )

  it.effect("a bad ROLLUP_RETENTION_DAYS stops start-up naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(Effect.asVoid(Rollups.pipe(Effect.provide(watcherLayer({ ROLLUP_RETENTION_DAYS: "0" })))))
      )
      assert.strictEqual(exit._tag, "Failure")
      assert.include(JSON.stringify(exit), "ROLLUP_RETENTION_DAYS")
    })
  )
})
