import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Schedule, TestClock, TestServices } from "effect"
import { History } from "../src/History.js"
import * as FakeSite from "./utils/FakeSite.js"
import { STORES } from "./utils/Stores.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"

describe.each(STORES)("History on $name", (store) => {
  it.scoped("keeps rows HISTORY_RETENTION_DAYS days", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const connection = yield* receiver(remote.url, "t1")
      const history = yield* History
      yield* history.append(connection.uuid, null, "ACTIVE", null)
      yield* TestClock.adjust("2 days")
      yield* history.append(connection.uuid, "ACTIVE", "OFFLINE", "timeout")
      yield* TestClock.adjust("1 day")
      assert.lengthOf(yield* history.latest(connection.uuid), 2, "3 days old: kept")
      yield* TestClock.adjust("1 hour")
      // the prune's DELETE is real I/O on PostgreSQL: awaited, boundedly, on the live clock
      const left = yield* history.latest(connection.uuid).pipe(
        Effect.map((changes) => changes.map((c) => c.to)),
        Effect.filterOrFail(
          (to) => to.length < 2,
          () => "not pruned yet"
        ),
        Effect.retry(Schedule.spaced("20 millis")),
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "no prune within 10 s" }),
        TestServices.provideLive
      )
      assert.deepStrictEqual(left, ["OFFLINE"], "the row older than 3 days is gone within the hour")
    }).pipe(Effect.provide(watcherLayer({ HISTORY_RETENTION_DAYS: "3" }, store.layer)))
  )

  it.effect("HISTORY_RETENTION_DAYS=0 stops start-up naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer({ HISTORY_RETENTION_DAYS: "0" })).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && JSON.stringify(exit.cause).includes("HISTORY_RETENTION_DAYS"))
    })
  )
})
