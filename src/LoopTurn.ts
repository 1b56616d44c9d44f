import { Effect } from "effect"

// A turn of the event loop, I/O included (a waiting /health request is read and answered): the fiber
// scheduler's own yield runs on microtasks, before any I/O. Long synchronous work (100,000 rows to decode,
// a write-behind batch) takes one between two chunks.
export const loopTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const timer = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(timer))
})

// rows decoded (or mapped) a chunk at a time, the event loop free between two chunks
export const mapChunked = <A, B>(items: ReadonlyArray<A>, f: (item: A) => B, chunk = 2000): Effect.Effect<Array<B>> =>
  items.length <= chunk
    ? Effect.sync(() => items.map(f))
    : Effect.gen(function* () {
        const out: Array<B> = new Array(items.length)
        for (let i = 0; i < items.length; i += chunk) {
          if (i > 0) yield* loopTurn
          const end = Math.min(items.length, i + chunk)
          for (let j = i; j < end; j++) out[j] = f(items[j]!)
        }
        return out
      })
