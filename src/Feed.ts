import type { Cause, Chunk, Effect, Scope } from "effect"
import { Exit, Stream } from "effect"

// A feed: events pushed to whoever listens, chunk by chunk, until it ends (its exit) or the listener's scope
// closes. The watcher's rounds are feeds: a round hands each chunk of results to every listener in turn, with no
// queue, fiber or stream per listener for each event. A feed is also a Stream (`toStream`) for any consumer; the
// GraphQL edge, which delivers to many sockets, listens to it directly (`of`).
export interface Listener<A> {
  readonly chunk: (events: Chunk.Chunk<A>) => void
  readonly end: (exit: Exit.Exit<void, unknown>) => void
}

export interface Feed<A> {
  // what listening starts lives in the scope: closing it leaves the feed
  readonly listen: (listener: Listener<A>) => Effect.Effect<void, never, Scope.Scope>
}

const feeds = new WeakMap<object, Feed<unknown>>()

// the feed behind a stream made by `toStream`, if this one is
export const of = (stream: Stream.Stream<unknown, unknown>): Feed<unknown> | undefined => feeds.get(stream)

// the same events as a Stream: its failure is the exit's failure, its end the feed's end
export const toStream = <A, E>(feed: Feed<A>): Stream.Stream<A, E> => {
  const stream = Stream.asyncScoped<A, E>(
    (emit) =>
      feed.listen({
        chunk: (events) => void emit.chunk(events),
        end: (exit) => void (Exit.isSuccess(exit) ? emit.end() : emit.halt(exit.cause as Cause.Cause<E>))
      }),
    "unbounded"
  )
  feeds.set(stream, feed as Feed<unknown>)
  return stream
}

export const make = <A>(listen: Feed<A>["listen"]): Feed<A> => ({ listen })
