import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Option, Queue, TestClock } from "effect"
import { StoreUnavailable } from "../src/Domain/Errors.js"
import * as WriteBehind from "../src/WriteBehind.js"
import { captureLogs } from "./utils/Logs.js"

// a write-behind over an array, recording each batch it writes; `gate`, when set, holds each write until
// opened; `down`, when true, makes each write fail as a store that is gone (each try's time is recorded).
// `started` and `done` hear of each write's batch as it starts and once it is written: the tests wait on them.
const recording = (limit: number) =>
  Effect.gen(function* () {
    let pending: Array<number> = []
    const written: Array<ReadonlyArray<number>> = []
    const tries: Array<number> = []
    const started = yield* Queue.unbounded<ReadonlyArray<number>>()
    const done = yield* Queue.unbounded<ReadonlyArray<number>>()
    const store = { down: false }
    let gate: Deferred.Deferred<void> | undefined
    const writer = yield* WriteBehind.make({
      name: "test",
      limit,
      pending: () => pending.length,
      take: () => {
        if (pending.length === 0) return undefined
        const batch = pending
        pending = []
        return batch
      },
      putBack: (batch: ReadonlyArray<number>) => {
        pending = [...batch, ...pending]
      },
      write: (batch: ReadonlyArray<number>) =>
        Effect.gen(function* () {
          tries.push(yield* Clock.currentTimeMillis)
          yield* Queue.offer(started, batch)
          if (gate !== undefined) yield* Deferred.await(gate)
          if (store.down) return yield* new StoreUnavailable({ reason: "the test's store is down" })
          written.push(batch)
          yield* Queue.offer(done, batch)
        })
    })
    // whether any of the additions woke the writer
    const add = (...values: Array<number>) =>
      values.reduce((woke, value) => {
        pending.push(value)
        return writer.added() || woke
      }, false)
    return {
      writer,
      add,
      written,
      tries,
      started: Queue.take(started),
      done: Queue.take(done),
      store,
      pending: () => pending,
      hold: Effect.map(Deferred.make<void>(), (deferred) => {
        gate = deferred
        return deferred
      })
    }
  })

describe("WriteBehind", () => {
  it.scoped("nothing is written below the limit; at the limit the writer takes everything pending as one batch", () =>
    Effect.gen(function* () {
      const { add, written, done } = yield* recording(3)
      // below the limit nothing wakes the writer (and nothing else does while the store is up): nothing is written
      assert.isFalse(add(1, 2))
      assert.isTrue(add(3))
      assert.deepStrictEqual(yield* done, [1, 2, 3])
      assert.deepStrictEqual(written, [[1, 2, 3]])
    })
  )

  it.scoped(
    "a large batch is written ROWS_PER_WRITE rows at a time; a refused write puts back only what was not written",
    () =>
      Effect.gen(function* () {
        const rows = Array.from({ length: 2 * WriteBehind.ROWS_PER_WRITE + 7 }, (_, i) => i)
        let pending: ReadonlyArray<number> = rows
        const written: Array<ReadonlyArray<number>> = []
        // the store refuses every write but the batch's first
        let refusing = true
        const writer = yield* WriteBehind.make({
          name: "test",
          limit: 100_000,
          pending: () => pending.length,
          take: () => {
            const batch = pending
            pending = []
            return batch.length === 0 ? undefined : batch
          },
          putBack: (batch: ReadonlyArray<number>) => {
            pending = [...batch, ...pending]
          },
          write: (batch: ReadonlyArray<number>) =>
            refusing && batch[0] !== 0
              ? Effect.fail(new StoreUnavailable({ reason: "the test's store is down" }))
              : Effect.sync(() => written.push(batch))
        })
        yield* writer.flush
        assert.deepStrictEqual(written, [rows.slice(0, WriteBehind.ROWS_PER_WRITE)])
        assert.deepStrictEqual(pending, rows.slice(WriteBehind.ROWS_PER_WRITE))
        refusing = false
        yield* writer.flush
        assert.deepStrictEqual(
          written.map((batch) => batch.length),
          [WriteBehind.ROWS_PER_WRITE, WriteBehind.ROWS_PER_WRITE, 7]
        )
        assert.deepStrictEqual(written.flat(), rows)
      })
  )

  it.scoped("flush writes what is pending and returns once it is written; nothing pending writes nothing", () =>
    Effect.gen(function* () {
      const { writer, add, written, tries } = yield* recording(100)
      yield* writer.flush
      assert.deepStrictEqual(tries, [])
      add(1, 2)
      yield* writer.flush
      assert.deepStrictEqual(written, [[1, 2]])
    })
  )

  it.effect("closing the scope writes what is still pending", () =>
    Effect.gen(function* () {
      const written = yield* Effect.scoped(
        Effect.gen(function* () {
          const { add, written } = yield* recording(100)
          add(7, 8)
          return written
        })
      )
      assert.deepStrictEqual(written, [[7, 8]])
    })
  )

  it.scoped(
    "one batch at a time, in the order taken; a batch taken is written whole even if its flush is interrupted",
    () =>
      Effect.gen(function* () {
        const { writer, add, written, hold, started } = yield* recording(100)
        const gate = yield* hold
        add(1)
        const first = yield* Effect.fork(writer.flush)
        // the first batch is taken and held in its write; the second waits for it
        assert.deepStrictEqual(yield* started, [1])
        add(2)
        const second = yield* Effect.fork(writer.flush)
        const interrupted = yield* Fiber.interrupt(first).pipe(Effect.fork)
        assert.deepStrictEqual(written, [])
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(second)
        yield* Fiber.join(interrupted)
        assert.deepStrictEqual(written, [[1], [2]])
      })
  )

  it.scoped(
    "a batch the store refuses is put back in front of what came since, and written once the store is back; the flush does not fail",
    () =>
      Effect.gen(function* () {
        const { writer, add, written, tries, store } = yield* recording(100)
        store.down = true
        add(1, 2)
        yield* writer.flush
        assert.deepStrictEqual(written, [])
        assert.lengthOf(tries, 1)
        add(3)
        store.down = false
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(written, [[1, 2, 3]])
      })
  )

  it.scoped("retries after 1 s, 2 s, 4 s… at most 30 s apart, on the Clock; a flush tries at once", () =>
    Effect.gen(function* () {
      const { writer, add, written, tries, store } = yield* recording(100)
      store.down = true
      add(1)
      yield* writer.flush
      for (let second = 0; second < 100; second++) yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(
        tries.map((at) => at / 1000),
        [0, 1, 3, 7, 15, 31, 61, 91]
      )
      // the next is due at 121 s: a flush (a round ends, a read) does not wait for it
      store.down = false
      yield* writer.flush
      assert.deepStrictEqual(tries.at(-1), 100_000)
      assert.deepStrictEqual(written, [[1]])
    })
  )

  it.scoped(
    "a flush waits at most DATABASE_TIMEOUT_MS for a store that does not answer; the write goes on and is not repeated",
    () =>
      Effect.gen(function* () {
        const { writer, add, written, tries, hold, started } = yield* recording(100)
        const gate = yield* hold
        add(1)
        const flush = yield* Effect.fork(writer.flush)
        yield* started
        yield* TestClock.adjust("4999 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(flush)), "still waiting just before DATABASE_TIMEOUT_MS")
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(flush)
        assert.deepStrictEqual(written, [])
        yield* Deferred.succeed(gate, undefined)
        yield* writer.flush
        assert.deepStrictEqual(written, [[1]])
        assert.lengthOf(tries, 1)
      })
  )

  it.effect("an outage is logged once when it starts and once when the store is back, with the rows that waited", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      yield* Effect.gen(function* () {
        const { writer, add, written, store } = yield* recording(100)
        store.down = true
        add(1, 2)
        yield* writer.flush
        add(3)
        yield* writer.flush
        yield* TestClock.adjust("10 seconds")
        store.down = false
        yield* writer.flush
        assert.deepStrictEqual(written, [[1, 2, 3]])
      }).pipe(Effect.scoped, Effect.provide(logs.layer))
      assert.deepStrictEqual(logs.lines, [
        "ERROR test: the store is unavailable; 2 rows wait in memory and are retried behind",
        "INFO test: the store is back; 3 rows that waited are written"
      ])
    })
  )
})
