import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as Gate from "../../src/Cluster/Gate.js"

// The owner's gate (CHECK_CONCURRENCY checks at a time across its rounds and the others' asks): a freed permit
// goes to the oldest batch waiting, in turn within it; a waiter that leaves gives up its place, a holder that
// leaves gives its permit back.

// until the fiber waits (on the gate or on its task)
const waiting = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.repeat(Fiber.status(fiber), { until: (status) => status._tag === "Suspended" })

describe("Gate", () => {
  it.effect("hands a freed permit to the oldest batch first, in order within it", () =>
    Effect.gen(function* () {
      const gated = Gate.make(1)
      const older = gated()
      const newer = gated()
      const started: Array<string> = []
      const hold = yield* Deferred.make<void>()
      const task = (name: string) => () => Effect.sync(() => void started.push(name))
      const holder = yield* Effect.fork(older(() => Effect.zipRight(task("a1")(), Deferred.await(hold))))
      yield* waiting(holder)
      // queued while a1 holds the only permit: the newer batch first, then the older one's
      const queued: Array<Fiber.RuntimeFiber<void>> = []
      for (const [batch, name] of [
        [newer, "b1"],
        [older, "a2"],
        [newer, "b2"],
        [older, "a3"]
      ] as const) {
        const fiber = yield* Effect.fork(batch(task(name)))
        yield* waiting(fiber)
        queued.push(fiber)
      }
      assert.deepStrictEqual(started, ["a1"])
      yield* Deferred.succeed(hold, undefined)
      yield* Fiber.join(holder)
      for (const fiber of queued) yield* Fiber.join(fiber)
      assert.deepStrictEqual(started, ["a1", "a2", "a3", "b1", "b2"])
    })
  )

  it.effect("a waiter that leaves gives up its place; a holder that leaves gives its permit back", () =>
    Effect.gen(function* () {
      const gated = Gate.make(1)()
      const started: Array<string> = []
      const forever = (name: string) => () =>
        Effect.zipRight(
          Effect.sync(() => void started.push(name)),
          Effect.never
        )
      const holder = yield* Effect.fork(gated(forever("first")))
      yield* waiting(holder)
      const leaving = yield* Effect.fork(gated(forever("leaving")))
      yield* waiting(leaving)
      const next = yield* Effect.fork(gated(forever("next")))
      yield* waiting(next)
      yield* Fiber.interrupt(leaving)
      yield* Fiber.interrupt(holder)
      // the permit went past the waiter that left, to the next one, and to no one else
      yield* Effect.repeat(
        Effect.sync(() => started.length),
        { until: (n) => n === 2 }
      )
      assert.deepStrictEqual(started, ["first", "next"])
      const after = yield* Effect.fork(gated(forever("after")))
      yield* waiting(after)
      assert.deepStrictEqual(started, ["first", "next"])
      yield* Fiber.interrupt(next)
      yield* Effect.repeat(
        Effect.sync(() => started.length),
        { until: (n) => n === 3 }
      )
      assert.deepStrictEqual(started, ["first", "next", "after"])
      yield* Fiber.interrupt(after)
    })
  )
})
