import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as WriteBehind from "../src/WriteBehind.js"

// a write-behind over an array, recording each batch it writes; `gate`, when set, holds each write until opened
const recording = (limit: number) =>
  Effect.gen(function* () {
    let pending: Array<number> = []
    const written: Array<ReadonlyArray<number>> = []
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
      write: (batch: ReadonlyArray<number>) =>
        Effect.zipRight(
          gate === undefined ? Effect.void : Deferred.await(gate),
          Effect.sync(() => written.push(batch))
        )
    })
    const add = (...values: Array<number>) => {
      for (const value of values) {
        pending.push(value)
        writer.added()
      }
    }
    return {
      writer,
      add,
      written,
      pending: () => pending,
      hold: Effect.map(Deferred.make<void>(), (deferred) => {
        gate = deferred
        return deferred
      })
    }
  })

// lets the writer fiber run: it is woken through a queue, so a few turns of the scheduler are enough
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("WriteBehind", () => {
  it.scoped("nothing is written below the limit; at the limit the writer takes everything pending as one batch", () =>
    Effect.gen(function* () {
      const { add, written } = yield* recording(3)
      add(1, 2)
      yield* settle
      assert.deepStrictEqual(written, [])
      add(3)
      yield* settle
      assert.deepStrictEqual(written, [[1, 2, 3]])
    })
  )

  it.scoped("flush writes what is pending and returns once it is written; nothing pending writes nothing", () =>
    Effect.gen(function* () {
      const { writer, add, written } = yield* recording(100)
      yield* writer.flush
      assert.deepStrictEqual(written, [])
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
        const { writer, add, written, hold } = yield* recording(100)
        const gate = yield* hold
        add(1)
        const first = yield* Effect.fork(writer.flush)
        yield* settle
        add(2)
        const second = yield* Effect.fork(writer.flush)
        yield* settle
        // the first batch is taken and held in its write; the second waits for it
        yield* Fiber.interrupt(first).pipe(Effect.fork)
        yield* settle
        assert.deepStrictEqual(written, [])
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(second)
        assert.deepStrictEqual(written, [[1], [2]])
      })
  )
})
