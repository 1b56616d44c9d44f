import { expect } from "@effect/vitest"
import { Deferred, Effect, Fiber, type Scope } from "effect"
import type { RunningSite } from "../utils/App.js"
import { sse } from "../utils/Clients.js"
import { seed } from "./SyncApi.js"

// The GraphQL connectionChanged subscription over SSE (the tests' one SSE client), as a browser would hold it.

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
    const stream = yield* sse(site.graphqlUrl, SUBSCRIPTION)
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/)
    const next = Effect.flatMap(Effect.orDie(stream.next), (result) => {
      const change = result.data?.["connectionChanged"] as Change | undefined
      return change === undefined
        ? Effect.dieMessage(`subscription error: ${JSON.stringify(result)}`)
        : Effect.succeed(change)
    })
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
