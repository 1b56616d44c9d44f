import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import * as CompletionOrder from "../src/CompletionOrder.js"
import * as SingleFlight from "../src/SingleFlight.js"

// CompletionOrder's workers over SingleFlight asks: the callback fast path (SingleFlight.chain) must keep what the
// fiber path kept: every result once, in order when asked, a check's death ending the run, and interruption
// leaving every flight it waits on (the last asker out cancels the task).

// tasks whose answers the test gives: started ones wait in `waiting`, cancelled ones are counted
const harness = () => {
  const waiting = new Map<number, (exit: Exit.Exit<number>) => void>()
  const started: Array<number> = []
  const cancelled: Array<number> = []
  const task =
    (n: number): SingleFlight.Task<number, never> =>
    (done) => {
      started.push(n)
      waiting.set(n, done)
      return () => {
        waiting.delete(n)
        cancelled.push(n)
      }
    }
  const answer = (n: number, exit: Exit.Exit<number> = Exit.succeed(n * 10)) => {
    const done = waiting.get(n)
    waiting.delete(n)
    done?.(exit)
  }
  return { waiting, started, cancelled, task, answer }
}

// answers every task waiting, each later turn, until the run is over
const answerUntilDone = <A, E>(h: ReturnType<typeof harness>, fiber: Fiber.RuntimeFiber<A, E>, reversed = false) =>
  Effect.gen(function* () {
    for (;;) {
      yield* Effect.yieldNow()
      const open = [...h.waiting.keys()]
      if (open.length === 0 && Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber)
      for (const n of reversed ? open.reverse() : open) h.answer(n)
    }
  })

// the scheduler's turns until `holds` (the workers are fibers: they start over a few turns)
const until = (holds: () => boolean) =>
  Effect.gen(function* () {
    for (let turn = 0; turn < 1000 && !holds(); turn++) yield* Effect.yieldNow()
    assert.isTrue(holds())
  })

describe("CompletionOrder over SingleFlight asks", () => {
  it.effect("the checks answered later by callback: every result once, in the items' order when asked", () =>
    Effect.gen(function* () {
      const h = harness()
      const flight = SingleFlight.make<number, number, never>()
      const items = Array.from({ length: 500 }, (_, i) => i)
      const told: Array<number> = []
      const fiber = yield* Effect.fork(
        CompletionOrder.collected(items, (n) => flight(n, h.task(n)), 8, {
          inOrder: true,
          onEach: (b) => told.push(b)
        })
      )
      // answered in reverse of their start within each turn, so completion order differs from the items' order
      const all = yield* answerUntilDone(h, fiber, true)
      assert.deepStrictEqual(
        all,
        items.map((n) => n * 10)
      )
      assert.deepStrictEqual(told, all)
      assert.strictEqual(h.started.length, 500)
      assert.deepStrictEqual(h.cancelled, [])
    })
  )

  it.effect("answers given while the ask is joined (synchronously) do not nest: 100,000 in one worker", () =>
    Effect.gen(function* () {
      const flight = SingleFlight.make<number, number, never>()
      const now: (n: number) => SingleFlight.Task<number, never> = (n) => (done) => {
        done(Exit.succeed(n))
        return () => {}
      }
      const items = Array.from({ length: 100_000 }, (_, i) => i)
      const all = yield* CompletionOrder.collected(items, (n) => flight(n, now(n)), 1)
      assert.strictEqual(all.length, 100_000)
      assert.strictEqual(all[99_999], 99_999)
    })
  )

  it.effect("an answer that is not a plain result (a log line first) and a check that is no ask run in the fiber", () =>
    Effect.gen(function* () {
      const h = harness()
      const flight = SingleFlight.make<number, number, never>()
      const logged: Array<number> = []
      const withLog = (exit: Exit.Exit<number>) =>
        Exit.isSuccess(exit) && exit.value % 20 === 0
          ? Effect.as(
              Effect.sync(() => logged.push(exit.value)),
              exit.value
            )
          : exit
      const fiber = yield* Effect.fork(
        CompletionOrder.collected(
          Array.from({ length: 30 }, (_, i) => i),
          (n) => (n % 3 === 0 ? Effect.succeed(n * 10) : flight(n, h.task(n), withLog)),
          4,
          { inOrder: true }
        )
      )
      const all = yield* answerUntilDone(h, fiber)
      assert.deepStrictEqual(
        all,
        Array.from({ length: 30 }, (_, i) => i * 10)
      )
      // the asks of even items went through the log line; 0, 6, 12… (each an Effect.succeed) did not
      assert.deepStrictEqual(
        logged.sort((a, b) => a - b),
        [20, 40, 80, 100, 140, 160, 200, 220, 260, 280]
      )
    })
  )

  it.effect("a check that dies ends the run with its defect; the checks still waiting are cancelled", () =>
    Effect.gen(function* () {
      const h = harness()
      const flight = SingleFlight.make<number, number, never>()
      const fiber = yield* Effect.fork(
        CompletionOrder.collected(
          Array.from({ length: 10 }, (_, i) => i),
          (n) => flight(n, h.task(n)),
          4
        )
      )
      yield* until(() => h.started.length === 4)
      assert.deepStrictEqual(h.started, [0, 1, 2, 3])
      h.answer(0)
      h.answer(1, Exit.die("broken remote"))
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.deepStrictEqual([...Cause.defects(exit.cause)], ["broken remote"])
      // the other workers were interrupted and left their flights: 2 and 3, and 4 (asked by the worker of 0)
      assert.deepStrictEqual(
        [...h.cancelled].sort((a, b) => a - b),
        [2, 3, 4]
      )
      assert.strictEqual(h.waiting.size, 0)
    })
  )

  it.effect("interrupting the run leaves every flight it waits on: cancelled unless another asker still waits", () =>
    Effect.gen(function* () {
      const h = harness()
      const flight = SingleFlight.make<number, number, never>()
      // another asker waits on 2's check before the run starts: its flight must outlive the run
      const other = yield* Effect.fork(flight(2, h.task(2)))
      yield* until(() => h.started.length === 1)
      const fiber = yield* Effect.fork(
        CompletionOrder.collected(
          Array.from({ length: 20 }, (_, i) => i),
          (n) => flight(n, h.task(n)),
          4
        )
      )
      yield* until(() => h.waiting.size === 4)
      // 0 and 1 answered: their workers went on by callback to 4 and 5, at once
      h.answer(0)
      h.answer(1)
      assert.deepStrictEqual(
        [...h.waiting.keys()].sort((a, b) => a - b),
        [2, 3, 4, 5]
      )
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(
        [...h.cancelled].sort((a, b) => a - b),
        [3, 4, 5]
      )
      // 2's task started once (by the other asker) and still runs for it
      assert.deepStrictEqual(
        h.started.filter((n) => n === 2),
        [2]
      )
      h.answer(2)
      assert.strictEqual(yield* Fiber.join(other), 20)
      // nothing was started after the interruption
      assert.deepStrictEqual(
        [...h.started].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5]
      )
    })
  )

  it.effect("SingleFlight.chain outside a worker (no slot): interruption leaves through its canceler", () =>
    Effect.gen(function* () {
      const h = harness()
      const flight = SingleFlight.make<number, number, never>()
      const ask = SingleFlight.askOf(flight(7, h.task(7)))
      assert.isDefined(ask)
      const results = yield* Deferred.make<number>()
      const fiber = yield* Effect.fork(
        SingleFlight.chain(ask!, (answer) => Effect.flatMap(answer, (n) => Deferred.succeed(results, n)))
      )
      yield* until(() => h.started.length === 1)
      assert.deepStrictEqual(h.started, [7])
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(h.cancelled, [7])
      // an effect of any other kind has no callback form
      assert.isUndefined(SingleFlight.askOf(Effect.succeed(1)))
    })
  )
})
