import { Cause, Effect, Exit, Option, Predicate, Runtime, Stream } from "effect"
import { createGraphQLError } from "graphql-yoga"
import { ShuttingDown } from "../Domain/Errors.js"

// A typed failure becomes a client-visible GraphQL error whose extensions.code is its _tag;
// anything else is rethrown untouched so yoga logs and masks it ("Unexpected error.").
export const toGraphQLError = (error: unknown): unknown =>
  error instanceof Error && Predicate.hasProperty(error, "_tag") && Predicate.isString(error._tag)
    ? createGraphQLError(error.message, {
        // ShuttingDown: 503 when nothing was sent yet, so a client or proxy knows to retry
        extensions: error._tag === "ShuttingDown" ? { code: error._tag, http: { status: 503 } } : { code: error._tag }
      })
    : error

const fromExit = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) throw toGraphQLError(failure.value)
  throw Cause.squash(exit.cause)
}

export interface Bridge<R> {
  // queries and mutations: the fiber lives as long as the HTTP request (its AbortSignal interrupts it)
  readonly run: <A, E>(effect: Effect.Effect<A, E, R>, signal: AbortSignal) => Promise<A>
  // subscriptions: the stream's scope closes when the client leaves or the server shuts down
  readonly stream: <A, E>(stream: Stream.Stream<A, E, R>) => AsyncIterable<A>
}

export const make = <R>(runtime: Runtime.Runtime<R>, shutdown: Effect.Effect<void>): Bridge<R> => {
  const runPromiseExit = Runtime.runPromiseExit(runtime)
  return {
    // defects are logged once, where yoga masks them (Yoga.ts); shutdown ends the operation with ShuttingDown
    run: (effect, signal) =>
      runPromiseExit(Effect.raceFirst(effect, Effect.zipRight(shutdown, new ShuttingDown())), { signal }).then(
        fromExit
      ),
    stream: (stream) =>
      Stream.toAsyncIterableRuntime(
        stream.pipe(Stream.mapError(toGraphQLError), Stream.interruptWhen(shutdown)),
        runtime
      )
  }
}
