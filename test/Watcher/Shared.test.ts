import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { createReceiver, graphql, startSite } from "../utils/App.js"
import { realPingInterval, sse, turns } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { until } from "../utils/Watcher.js"

const EVENTS = `subscription ($every: Int) {
  statusEvents(everySeconds: $every) {
    __typename
    ... on SenderStatusFetched { connectionUuid status checkedAt }
    ... on StatusRoundCompleted { round checked severed }
  }
}`

const CONNECTIONS = 3
const BATCHES = 20
const PER_BATCH = 10
const STAGGER_SECONDS = 3

interface Round {
  readonly number: number
  readonly results: ReadonlyArray<{ readonly connectionUuid: string; readonly checkedAt: string }>
  readonly checked: number
}

// One SSE subscriber, read on its own fiber: its rounds as they complete, and probes for the first two.
const subscriber = (url: string, every: number) =>
  Effect.gen(function* () {
    const stream = yield* sse(url, EVENTS, { every })
    const rounds: Array<Round> = []
    let partial: ReadonlyArray<unknown> = []
    const first = yield* Deferred.make<void>()
    const second = yield* Deferred.make<void>()
    const read = Effect.gen(function* () {
      let results: Array<{ connectionUuid: string; checkedAt: string }> = []
      partial = results
      for (;;) {
        const event = (yield* stream.next).data?.["statusEvents"] as Record<string, any>
        if (event["__typename"] === "SenderStatusFetched") {
          results.push({ connectionUuid: event["connectionUuid"], checkedAt: event["checkedAt"] })
          continue
        }
        rounds.push({ number: event["round"], results, checked: event["checked"] })
        results = []
        partial = results
        if (rounds.length === 1) yield* Deferred.succeed(first, undefined)
        if (rounds.length === 2) yield* Deferred.succeed(second, undefined)
      }
    })
    const fiber = yield* Effect.forkScoped(Effect.ignore(read))
    return { rounds, first, second, fiber, every, pending: () => partial }
  })

// BATCHES of PER_BATCH subscribers (numbered from 0), STAGGER_SECONDS apart: each batch once `ready` of all
const staggered = <S, R>(
  what: string,
  join: (n: number) => Effect.Effect<S, never, R>,
  ready: (s: S) => Deferred.Deferred<void>
) =>
  Effect.gen(function* () {
    const all: Array<S> = []
    for (let batch = 0; batch < BATCHES; batch++) {
      const joined = yield* Effect.forEach(
        Array.from({ length: PER_BATCH }, (_, i) => batch * PER_BATCH + i),
        join,
        { concurrency: "unbounded" }
      )
      yield* until(
        what,
        Effect.map(
          Effect.forEach(joined, (s) => Deferred.isDone(ready(s))),
          (done) => done.every(Boolean)
        )
      )
      all.push(...joined)
      yield* TestClock.adjust(`${STAGGER_SECONDS} seconds`)
    }
    return all
  })

describe("one watcher for everyone (G1-G4)", () => {
  it.scoped(
    "200 SSE subscribers on staggered starts: at most one request per connection per smallest interval, complete rounds, memory keeps checkedAt",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        // the clock moves 3 s at a time while requests are in flight: keep their deadline out of the way
        // 200 SSE sockets from one address: over MAX_CONNECTIONS_PER_ADDRESS's default
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000", MAX_CONNECTIONS_PER_ADDRESS: "300" })
        const uuids: Array<string> = []
        for (let i = 0; i < CONNECTIONS; i++) uuids.push(yield* createReceiver(site, `${remote.url}/r${i}`, `r${i}`))

        // 20 batches of 10, 3 s apart on the TestClock; every fourth subscriber asks every 60 s, the rest every 30 s
        const subscribers = yield* staggered(
          "the batch's first rounds",
          (n) => subscriber(site.graphqlUrl, n % 4 === 3 ? 60 : 30),
          (s) => s.first
        )
        // G1: the remote's requests per connection are the distinct checks the subscribers saw, >= 30 s apart
        const checksOf = (uuid: string) =>
          [
            ...new Set(
              subscribers
                .flatMap((s) => s.rounds.flatMap((round) => round.results.filter((r) => r.connectionUuid === uuid)))
                .map((r) => Date.parse(r.checkedAt))
            )
          ].sort((a, b) => a - b)
        const askedFor = (i: number) =>
          Effect.map(remote.requests, (requests) => requests.filter((r) => r.path.startsWith(`/r${i}/`)).length)
        // nothing on its way: every round a subscriber saw begin has ended, every check asked was seen
        const quiet = Effect.gen(function* () {
          if (subscribers.some((s) => s.pending().length > 0)) return false
          for (let i = 0; i < CONNECTIONS; i++) if (checksOf(uuids[i]!).length < (yield* askedFor(i))) return false
          return true
        })

        // the clock goes on, 3 s at a time, until every subscriber has had its second round (an interval
        // starts when the server has finished sending a round, which can be a little after the client saw it)
        let elapsed = BATCHES * STAGGER_SECONDS
        const allHadTwo = Effect.map(
          Effect.forEach(subscribers, (s) => Deferred.isDone(s.second)),
          (done) => done.every(Boolean)
        )
        while (!(yield* allHadTwo)) {
          assert.isBelow(elapsed, 600, "every subscriber has a second round within its interval")
          yield* TestClock.adjust(`${STAGGER_SECONDS} seconds`)
          elapsed += STAGGER_SECONDS
          yield* until("the rounds due to settle", quiet)
        }
        yield* until("the last rounds to settle", quiet)

        // G2: every round has one result per connection, then its summary; rounds count from 1
        for (const s of subscribers) {
          s.rounds.forEach((round, i) => {
            assert.strictEqual(round.number, i + 1)
            assert.strictEqual(round.checked, CONNECTIONS)
            assert.sameMembers(
              round.results.map((r) => r.connectionUuid),
              uuids
            )
          })
        }

        for (let i = 0; i < CONNECTIONS; i++) {
          const asked = yield* askedFor(i)
          const checks = checksOf(uuids[i]!)
          assert.strictEqual(asked, checks.length, `connection ${i}: one request per distinct check`)
          for (let k = 1; k < checks.length; k++) {
            assert.isAtLeast(checks[k]! - checks[k - 1]!, 30_000, `connection ${i}: checks ${k - 1} and ${k}`)
          }
          // at most one request per 30 s of the clock, and the checks went on
          assert.isAtMost(asked, 1 + Math.floor(elapsed / 30))
          assert.isAtLeast(asked, 3)
        }

        // G3: who joined within 30 s of the first check got it from memory, with its original checkedAt
        const original = subscribers[0]!.rounds[0]!.results.map((r) => r.checkedAt)
        for (const s of subscribers.slice(0, 10 * PER_BATCH)) {
          assert.sameMembers(
            s.rounds[0]!.results.map((r) => r.checkedAt),
            original
          )
        }
        yield* Effect.forEach(subscribers, (s) => Fiber.interrupt(s.fiber), { discard: true })
      }),
    { timeout: 120_000 }
  )

  it.scoped(
    "G4: 200 subscribers on staggered starts join one check, which lives until the last leaves; then the remote sees its socket close",
    () =>
      Effect.gen(function* () {
        yield* realPingInterval
        const remote = yield* FakeSite.make(FakeSite.hang)
        // 200 SSE sockets from one address: over MAX_CONNECTIONS_PER_ADDRESS's default
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000", MAX_CONNECTIONS_PER_ADDRESS: "300" })
        yield* createReceiver(site, remote.url)
        const streams = yield* staggered(
          "the batch's subscriptions",
          () => sse(site.graphqlUrl, EVENTS, { every: 30 }),
          (s) => s.started
        )
        yield* until("the status request", Deferred.isDone(remote.received))
        assert.lengthOf(yield* remote.requests, 1, "every subscriber joined the one check in flight")

        for (const s of streams.slice(0, -1)) yield* s.leave
        yield* turns(50)
        assert.isFalse(yield* Deferred.isDone(remote.closed), "the last subscriber still waits on the check")
        yield* streams.at(-1)!.leave
        yield* until("the remote to see its socket close", Deferred.isDone(remote.closed))
        assert.isFalse((yield* Deferred.await(remote.closed)).completed)
        assert.lengthOf(yield* remote.requests, 1)
      }),
    { timeout: 120_000 }
  )

  it.scoped("senderStatuses(maxAgeSeconds) takes the same freshness rule; a negative age is refused", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const site = yield* startSite()
      yield* createReceiver(site, remote.url)
      const query = (maxAge: number) =>
        graphql(site.graphqlUrl, `{ senderStatuses(maxAgeSeconds: ${maxAge}) { checkedAt } }`)
      const first = yield* query(0)
      yield* TestClock.adjust("59 seconds")
      const cached = yield* query(60)
      assert.deepStrictEqual(cached.data, first.data, "served from memory with its original checkedAt")
      assert.lengthOf(yield* remote.requests, 1)
      yield* TestClock.adjust("1 second")
      const aged = yield* query(60)
      assert.notDeepEqual(aged.data, first.data)
      assert.lengthOf(yield* remote.requests, 2)
      yield* query(0)
      assert.lengthOf(yield* remote.requests, 3, "0 asks now")
      const refused = yield* query(-1)
      assert.deepStrictEqual(
        refused.errors?.map((e) => e.extensions?.code),
        ["InvalidInput"]
      )
      assert.lengthOf(yield* remote.requests, 3)
    })
  )
})
