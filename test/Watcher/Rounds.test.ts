import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, TestClock } from "effect"
import { createReceiver, createRegisteredSender, graphql, type RunningSite, startSite } from "../utils/App.js"
import { type EventStream, type Result, sse, turns, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { until } from "../utils/Watcher.js"

const ADMIN = "a-long-admin-token-for-tests"
const VIEWER = "a-long-viewer-token-for-tests"
const AS_ADMIN = { authorization: `Bearer ${ADMIN}` }
const AS_VIEWER = { authorization: `Bearer ${VIEWER}` }

const EVENTS = `subscription ($every: Int) {
  statusEvents(everySeconds: $every) {
    __typename
    ... on SenderStatusFetched { connectionUuid checkedAt }
    ... on ReceiverConnectionSevered { connectionUuid }
    ... on StatusRoundCompleted { round checked severed }
  }
}`

const ROUNDS = `subscription ($every: Int) {
  statusRounds(everySeconds: $every) {
    round completedAt
    senderStatuses { connectionUuid status checkedAt durationMs }
    verifications { connectionUuid outcome checkedAt durationMs }
    severed { connectionUuid }
    held { notFound eligible }
  }
}`

interface Round {
  readonly results: ReadonlyArray<{ readonly connectionUuid: string; readonly checkedAt: string }>
  readonly severed: number
  readonly summary: Record<string, unknown>
}

// the statusEvents of one round, up to its summary
const nextRound = (stream: EventStream) =>
  Effect.gen(function* () {
    const results: Array<{ connectionUuid: string; checkedAt: string }> = []
    let severed = 0
    for (;;) {
      const event = (yield* stream.next).data?.["statusEvents"] as Record<string, any>
      if (event["__typename"] === "SenderStatusFetched") results.push(event as never)
      else if (event["__typename"] === "ReceiverConnectionSevered") severed++
      else return { results, severed, summary: event } satisfies Round
    }
  }).pipe(within("a round", "60 seconds"))

const statusOf = (site: RunningSite, uuid: string) =>
  Effect.map(
    graphql(site.graphqlUrl, `{ connection(uuid: "${uuid}") { status statusChangedBy } }`, {}, AS_ADMIN),
    (result) => result.data?.["connection"]
  )

// a page's statusRounds over graphql-ws: subscribed now, its messages taken one by one
type WsClient = Effect.Effect.Success<ReturnType<typeof wsClient>>
const pageFeed = (client: WsClient) =>
  Effect.map(wsSubscribe(client, ROUNDS, { every: 30 }), (feed) =>
    Effect.map(
      feed.next.pipe(within("a statusRounds message")),
      (result: Result) => result.data?.["statusRounds"] as Record<string, any>
    )
  )

const ENCODINGS = "syncwatch_subscription_encodings_total"
const encodings = (site: RunningSite) =>
  Effect.promise(async () => {
    const body = await fetch(`${site.siteUrl}/metrics`).then((response) => response.text())
    const line = body.split("\n").find((each) => each.startsWith(`${ENCODINGS} `))
    return line === undefined ? 0 : Number(line.slice(ENCODINGS.length + 1))
  })

const checkedAts = (round: Round) => round.results.map((r) => `${r.connectionUuid} ${r.checkedAt}`).sort()

describe("rounds that belong to the watcher", () => {
  it.live("a viewer's statusEvents and statusRounds never sever; an admin's statusEvents does (issue 18)", () =>
    Effect.gen(function* () {
      const gone = yield* FakeSite.make(FakeSite.json(404, { success: false, exists: false }))
      const site = yield* startSite({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })
      const sender = yield* createRegisteredSender(site, gone.url, "s", AS_ADMIN)

      const viewed = yield* nextRound(yield* sse(site.graphqlUrl, EVENTS, {}, AS_VIEWER))
      assert.deepInclude(viewed.summary, { round: 1, checked: 1, severed: 0 })
      assert.strictEqual(viewed.severed, 0)
      const page = yield* sse(site.graphqlUrl, ROUNDS, {}, AS_VIEWER)
      const pageRound = (yield* page.next.pipe(within("the viewer's round"))).data?.["statusRounds"] as Record<
        string,
        any
      >
      assert.deepStrictEqual(pageRound["severed"], [])
      assert.deepInclude(pageRound["verifications"][0], { connectionUuid: sender, outcome: "NOT_FOUND" })
      assert.isAtLeast((yield* gone.requests).length, 2, "the viewer's rounds did verify")
      assert.deepStrictEqual(yield* statusOf(site, sender), { status: "ACTIVE", statusChangedBy: null })

      const admin = yield* nextRound(yield* sse(site.graphqlUrl, EVENTS, {}, AS_ADMIN))
      assert.deepInclude(admin.summary, { round: 1, checked: 1, severed: 1 })
      assert.deepStrictEqual(yield* statusOf(site, sender), { status: "SUSPENDED", statusChangedBy: "SEVERED" })
    }).pipe(Effect.scoped)
  )

  it.scoped(
    "two subscribers of one interval: the late one's first round at once from memory, then both get each shared round, one request per connection per round",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000" })
        const uuids = yield* Effect.forEach([0, 1, 2], (i) => createReceiver(site, `${remote.url}/r${i}`))
        const requests = Effect.map(remote.requests, (all) => all.length)

        const early = yield* sse(site.graphqlUrl, EVENTS, { every: 30 })
        const first = yield* nextRound(early)
        assert.sameMembers(
          first.results.map((r) => r.connectionUuid),
          uuids
        )
        assert.strictEqual(yield* requests, 3)

        yield* TestClock.adjust("10 seconds")
        const late = yield* sse(site.graphqlUrl, EVENTS, { every: 30 })
        const lateFirst = yield* nextRound(late)
        assert.deepInclude(lateFirst.summary, { round: 1, checked: 3 })
        assert.deepStrictEqual(checkedAts(lateFirst), checkedAts(first), "served from memory at once")
        assert.strictEqual(yield* requests, 3)

        // the interval's next round: an interval (plus up to 10%) after the first ended
        yield* TestClock.adjust("23 seconds")
        const [earlySecond, lateSecond] = yield* Effect.all([nextRound(early), nextRound(late)])
        assert.deepInclude(earlySecond.summary, { round: 2, checked: 3 })
        assert.deepInclude(lateSecond.summary, { round: 2, checked: 3 })
        assert.deepStrictEqual(checkedAts(lateSecond), checkedAts(earlySecond), "the same round for both")
        assert.notDeepEqual(checkedAts(earlySecond), checkedAts(first))
        assert.strictEqual(yield* requests, 6, "one request per connection per round, whoever listens")

        yield* TestClock.adjust("33 seconds")
        yield* Effect.all([nextRound(early), nextRound(late)])
        assert.strictEqual(yield* requests, 9)
      }),
    { timeout: 120_000 }
  )

  it.scoped(
    "the last subscriber of an interval leaving stops its round in flight: the remote sees its socket close",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.hang)
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000" })
        const first = yield* sse(site.graphqlUrl, EVENTS, { every: 30 })
        yield* nextRound(first)
        const second = yield* sse(site.graphqlUrl, EVENTS, { every: 30 })
        yield* nextRound(second)
        yield* createReceiver(site, remote.url)
        // the interval's second round, for both, asks the remote, which holds the request
        yield* TestClock.adjust("33 seconds")
        yield* Deferred.await(remote.received).pipe(within("the status request"))
        yield* first.leave
        yield* turns(50)
        assert.isFalse(yield* Deferred.isDone(remote.closed), "the other subscriber still waits on the check")
        yield* second.leave
        yield* until("the remote to see its socket close", Deferred.isDone(remote.closed))
        assert.isFalse((yield* Deferred.await(remote.closed)).completed)
        assert.lengthOf(yield* remote.requests, 1)
      })
  )

  it.scoped("statusRounds over graphql-ws: one message a round, each result with checkedAt and durationMs", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const remoteReceiver = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
      const site = yield* startSite()
      const uuid = yield* createReceiver(site, remote.url)
      const sender = yield* createRegisteredSender(site, remoteReceiver.url)
      const client = yield* wsClient(site.port)
      const take = yield* pageFeed(client)
      const first = yield* take
      assert.strictEqual(first["round"], 1)
      assert.deepStrictEqual(
        first["senderStatuses"].map((s: any) => [s.connectionUuid, s.status]),
        [[uuid, "ACTIVE"]]
      )
      assert.deepStrictEqual(
        first["verifications"].map((v: any) => [v.connectionUuid, v.outcome]),
        [[sender, "EXISTS"]]
      )
      for (const result of [...first["senderStatuses"], ...first["verifications"]]) {
        assert.isString(result.checkedAt)
        assert.isAtLeast(result.durationMs, 0)
      }
      assert.deepStrictEqual(first["severed"], [])
      assert.isNull(first["held"])
      yield* TestClock.adjust("33 seconds")
      const second = yield* take
      assert.strictEqual(second["round"], 2)
      assert.notStrictEqual(second["senderStatuses"][0].checkedAt, first["senderStatuses"][0].checkedAt)
      assert.lengthOf(yield* remote.requests, 2)
    })
  )

  it.scoped(
    "pages that join while the interval's last round is current are served that round itself, encoded once for all; after a change, a newcomer gets its own",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000" })
        const uuids = yield* Effect.forEach([0, 1], (i) => createReceiver(site, `${remote.url}/r${i}`))
        const page = pageFeed
        const client = yield* wsClient(site.port)
        const first = yield* yield* page(client)
        assert.lengthOf(first["senderStatuses"], 2)
        const encoded = yield* encodings(site)

        yield* TestClock.adjust("10 seconds")
        const late = yield* Effect.forEach([0, 1, 2], () => Effect.flatten(page(client)))
        for (const round of late) assert.deepStrictEqual(round, first, "the same round, completedAt included")
        assert.strictEqual((yield* encodings(site)) - encoded, 0, "its bytes were encoded once, for the first page")
        assert.lengthOf(yield* remote.requests, 2)

        // a new connection: the last round is no longer what a round would find
        const added = yield* createReceiver(site, `${remote.url}/r2`)
        const own = yield* yield* page(client)
        assert.sameMembers(
          own["senderStatuses"].map((s: any) => s.connectionUuid),
          [...uuids, added]
        )
        assert.notStrictEqual(own["completedAt"], first["completedAt"])
        assert.lengthOf(yield* remote.requests, 3, "only the new connection was checked")
      })
  )

  it.scoped(
    "pages that join while the first round is in flight wait for it: one check, one encoding, the same round",
    () =>
      Effect.gen(function* () {
        const release = yield* Deferred.make<void>()
        const remote = yield* FakeSite.make(
          FakeSite.held(release, FakeSite.json(200, { success: true, status: "active", name: "n" }))
        )
        const site = yield* startSite({ PEER_TIMEOUT_MS: "3600000" })
        yield* createReceiver(site, remote.url)
        const client = yield* wsClient(site.port)
        const subscribe = pageFeed(client)
        const first = yield* subscribe
        yield* Deferred.await(remote.received).pipe(within("the status request"))
        const later = yield* Effect.all([subscribe, subscribe])
        yield* turns(50)
        const encoded = yield* encodings(site)
        yield* Deferred.succeed(release, undefined)
        const rounds = yield* Effect.all([first, ...later])
        for (const round of rounds) assert.deepStrictEqual(round, rounds[0])
        assert.lengthOf(rounds[0]!["senderStatuses"], 1)
        assert.strictEqual((yield* encodings(site)) - encoded, 1, "encoded once for the three pages")
        assert.lengthOf(yield* remote.requests, 1)
      })
  )
})
