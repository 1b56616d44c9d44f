import { Effect, Exit, Queue, Stream, Take } from "effect"

// each result the moment it is ready; the consumer leaving closes the scope and interrupts every check.
// A check that dies ends the stream with its cause instead of leaving the consumer waiting.
export const inCompletionOrder = <A, B>(
  items: Iterable<A>,
  check: (item: A) => Effect.Effect<B>,
  concurrency: number
): Stream.Stream<B> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const results = yield* Effect.acquireRelease(Queue.unbounded<Take.Take<B>>(), Queue.shutdown)
      yield* Effect.forEach(items, (item) => Effect.flatMap(check(item), (b) => Queue.offer(results, Take.of(b))), {
        concurrency,
        discard: true
      }).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Queue.offer(results, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause))),
        Effect.forkScoped
      )
      return Stream.fromQueue(results).pipe(Stream.flattenTake)
    })
  )
