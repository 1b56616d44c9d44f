import { expect } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Queue, type Scope, Stream } from "effect"
import type { RunningSite } from "../utils/App.js"
import { seed } from "./SyncApi.js"

// The GraphQL connectionChanged subscription over SSE, as a browser would hold it.

export interface Change {
  readonly kind: string
  readonly connectionUuid: string
  readonly connection: { readonly status: string } | null
}

export interface Changes {
  readonly next: Effect.Effect<Change>
}

const SUBSCRIPTION = "subscription { connectionChanged { kind connectionUuid connection { status } } }"

let probes = 0
const probe = (site: RunningSite) =>
  seed(site, { direction: "receiver", siteUrl: `https://probe-${++probes}.example.com`, name: "probe" })

// Opens the subscription and returns once the server delivers changes on it. The server subscribes to the
// registry some time after the response starts and the client cannot see when, so probe rows are created
// until one of their changes comes through.
export const subscribeChanges = (site: RunningSite): Effect.Effect<Changes, never, Scope.Scope> =>
  Effect.gen(function* () {
    const controller = yield* Effect.acquireRelease(
      Effect.sync(() => new AbortController()),
      (controller) => Effect.sync(() => controller.abort())
    )
    const response = yield* Effect.promise(() =>
      fetch(site.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query: SUBSCRIPTION }),
        signal: controller.signal
      })
    )
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/)
    const queue = yield* Stream.fromReadableStream(
      () => response.body!,
      (error) => error
    ).pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.filter((line) => line.startsWith("data: ")),
      Stream.map((line) => {
        const payload = JSON.parse(line.slice("data: ".length)) as { readonly data?: { connectionChanged: Change } }
        if (payload.data === undefined) throw new Error(`subscription error: ${line}`)
        return payload.data.connectionChanged
      }),
      Stream.toQueueOfElements({ capacity: 64 })
    )
    const next = Queue.take(queue).pipe(
      Effect.flatten,
      Effect.catchAll((error) => Effect.dieMessage(`the subscription ended: ${Option.getOrElse(error, () => "")}`))
    )
    const live = yield* Deferred.make<void>()
    // not interrupted mid-request, so no probe is still on its way once this returns
    const poker = yield* Effect.fork(
      Effect.gen(function* () {
        while (!(yield* Deferred.isDone(live))) yield* probe(site)
      })
    )
    yield* Effect.raceFirst(
      next,
      Effect.zipRight(Fiber.join(poker), Effect.dieMessage("probing stopped before any change came through"))
    )
    yield* Deferred.succeed(live, undefined)
    yield* Fiber.join(poker)
    const changes = { next }
    // the probes' own changes, so the next changesSoFar starts clean
    yield* changesSoFar(site, changes)
    return changes
  })

// every change published since the last call, up to a fence row created now: the registry publishes in order,
// so whatever an earlier request caused comes before the fence's own change
export const changesSoFar = (site: RunningSite, changes: Changes) =>
  Effect.gen(function* () {
    const fence = yield* probe(site)
    const seen: Array<Change> = []
    for (;;) {
      const change = yield* changes.next
      if (change.connectionUuid === fence.uuid) return seen
      seen.push(change)
    }
  })
