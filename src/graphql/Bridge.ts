import { Cause, Effect, Exit, Option, Runtime, Stream } from "effect"
import { createGraphQLError, maskError, type YogaServerOptions } from "graphql-yoga"
import { type ClientError, isClientError, ShuttingDown } from "../Domain/Errors.js"

// A ClientError becomes a client-visible GraphQL error whose extensions.code is its _tag. Anything else
// (a SqlError, a ParseError, any other tagged error, a defect) is rethrown untouched: yoga masks it
// ("Unexpected error.") and `maskedErrors` below logs it once with its cause.
export const toGraphQLError = (error: unknown): unknown =>
  isClientError(error)
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

// resolvers can only fail with a ClientError: anything else must be mapped or die before it gets here
export interface Bridge<R> {
  // queries and mutations: the fiber lives as long as the HTTP request (its AbortSignal interrupts it)
  readonly run: <A>(effect: Effect.Effect<A, ClientError, R>, signal: AbortSignal) => Promise<A>
  // subscriptions: the stream's scope closes when the client leaves or the server shuts down
  readonly stream: <A>(stream: Stream.Stream<A, ClientError, R>) => AsyncIterable<A>
}

export const make = <R>(runtime: Runtime.Runtime<R>, shutdown: Effect.Effect<void>): Bridge<R> => {
  const runPromiseExit = Runtime.runPromiseExit(runtime)
  return {
    // defects are logged once, where yoga masks them; shutdown ends the operation with ShuttingDown
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

// the one place every masked error passes, ours (resolver failures and defects) or yoga's own (parsing,
// validation, plugins): each is logged once with its cause, then the client sees "Unexpected error."
export const maskedErrors = (runtime: Runtime.Runtime<never>): YogaServerOptions<object, object>["maskedErrors"] => ({
  maskError: (error, message, isDev) => {
    const masked = maskError(error, message, isDev)
    if (masked !== error) {
      const cause =
        error instanceof Error && "originalError" in error && error.originalError ? error.originalError : error
      Runtime.runFork(runtime)(Effect.logError("GraphQL error masked", Cause.die(cause)))
    }
    return masked
  }
})
