import { Effect, Queue, type Scope } from "effect"

export interface Subscription {
  // the next `data` payload of an `event: next`, in order
  readonly next: Effect.Effect<{ readonly data?: Record<string, any>; readonly errors?: ReadonlyArray<any> }>
  // resolves when the server ends the stream (`event: complete` or the body closing)
  readonly completed: Effect.Effect<void>
}

// A GraphQL-over-SSE client on a real socket (distinct connections mode, as graphql-yoga serves it).
// Leaving the scope aborts the request.
export const subscribe = (
  graphqlUrl: string,
  query: string,
  variables: Record<string, unknown> = {}
): Effect.Effect<Subscription, never, Scope.Scope> =>
  Effect.gen(function* () {
    const events = yield* Queue.unbounded<{ readonly data?: Record<string, any> }>()
    const done = yield* Queue.unbounded<void>()
    const controller = yield* Effect.acquireRelease(
      Effect.sync(() => new AbortController()),
      (c) => Effect.sync(() => c.abort())
    )
    const response = yield* Effect.promise(() =>
      fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal
      })
    )
    yield* Effect.forkScoped(
      Effect.promise(async () => {
        const reader = response.body!.getReader()
        const decoder = new TextDecoder()
        let buffer = ""
        try {
          for (;;) {
            const { done: ended, value } = await reader.read()
            if (ended) break
            buffer += decoder.decode(value, { stream: true })
            const parts = buffer.split("\n\n")
            buffer = parts.pop() ?? ""
            for (const part of parts) {
              const lines = part.split("\n")
              const event = lines
                .find((l) => l.startsWith("event:"))
                ?.slice(6)
                .trim()
              const data = lines
                .find((l) => l.startsWith("data:"))
                ?.slice(5)
                .trim()
              if (event === "next" && data !== undefined) Queue.unsafeOffer(events, JSON.parse(data))
              if (event === "complete") Queue.unsafeOffer(done, undefined)
            }
          }
        } catch {
          // aborted by the client
        }
        Queue.unsafeOffer(done, undefined)
      })
    )
    return { next: Queue.take(events), completed: Queue.take(done) }
  })
