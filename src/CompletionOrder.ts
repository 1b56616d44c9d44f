import { Cause, Effect, Exit } from "effect"
import * as SingleFlight from "./SingleFlight.js"

// CHECK_CONCURRENCY workers pulling from one iterator (a fiber per worker, not one per check), each result
// handed to `emit` with its index the moment its check completes (`emit` may return nothing: no effect to run).
// A check that dies ends it with its cause, logged here.
const run = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number,
  emit: (b: B, index: number) => Effect.Effect<void> | undefined
): Effect.Effect<void> => {
  const pending = items[Symbol.iterator]()
  let taken = 0
  // a worker checks one item at a time: its index and its continuation are the worker's, not a closure per check.
  // A check that is a SingleFlight ask is asked by callback: while the answers are plain results and `emit` has
  // nothing to run, the worker goes from one ask to the next without a fiber step (SingleFlight.chain); anything
  // else (a log line before the result, a fresh result, another kind of effect) runs in the worker's fiber.
  const worker = (): Effect.Effect<void> => {
    let index = 0
    const take = (): Effect.Effect<void> | SingleFlight.Ask<B, never> => {
      const next = pending.next()
      if (next.done === true) return Effect.void
      index = taken++
      const effect = check(next.value)
      return SingleFlight.askOf(effect) ?? Effect.flatMap(effect, emitted)
    }
    const answered = (answer: Effect.Effect<B>): Effect.Effect<void> | SingleFlight.Ask<B, never> => {
      if (!Exit.isExit(answer)) return Effect.flatMap(answer, emitted)
      const exit = answer as Exit.Exit<B>
      if (Exit.isFailure(exit)) return exit
      // nothing to run for this result: the next item is taken here, in the callback
      const after = emitted(exit.value)
      return after === step ? take() : after
    }
    const step: Effect.Effect<void> = Effect.suspend(() => {
      const next = take()
      return typeof next === "function" ? SingleFlight.chain(next, answered) : next
    })
    const emitted = (b: B) => {
      const emitting = emit(b, index)
      return emitting === undefined ? step : Effect.zipRight(emitting, step)
    }
    // the checks of one worker are asked one after another: they leave together (SingleFlight.leavingTogether)
    return SingleFlight.leavingTogether(step)
  }
  // no more workers than items (a round's senders are often none): each worker is a fiber forked for the run
  const workers = Array.isArray(items) ? Math.min(concurrency, items.length) : concurrency
  return Effect.all(Array.from({ length: workers }, worker), { concurrency, discard: true }).pipe(
    Effect.onError((cause) =>
      Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError("A status check died: ending the checks", cause)
    )
  )
}

// The same workers collected into one array without a Stream in between (its per-element hand-off costs
// ≈ 28 µs of CPU more, for nothing when nobody reads as it comes): in completion order, or with `inOrder`
// in the order of `items`; `onEach` is told each result the moment it completes (it must not block), with
// `inOrder` once every result before it is known.
export const collected = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number,
  options?: { readonly inOrder?: boolean; readonly onEach?: (b: B) => void }
): Effect.Effect<Array<B>> =>
  Effect.suspend(() => {
    const all: Array<B> = []
    const onEach = options?.onEach
    // in order, `onEach` is told each result once those before it are known (a streamed answer's order)
    let told = 0
    const emit =
      options?.inOrder === true
        ? (b: B, index: number) => {
            all[index] = b
            if (onEach !== undefined && index === told) {
              while (told < all.length && all[told] !== undefined) onEach(all[told++]!)
            }
            return undefined
          }
        : onEach === undefined
          ? (b: B) => {
              all.push(b)
              return undefined
            }
          : (b: B) => {
              all.push(b)
              onEach(b)
              return undefined
            }
    return run(items, check, concurrency, emit).pipe(Effect.as(all))
  })
