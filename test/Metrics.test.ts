import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { STATUS_EVENTS } from "./graphql/Documents.js"
import { apiUrl, UNKNOWN_HASH } from "./Peer/SyncApi.js"
import {
  CREATE,
  createReceiver,
  createRegisteredSender,
  graphql,
  type RunningSite,
  startRefused,
  startSite
} from "./utils/App.js"
import { sse, within } from "./utils/Clients.js"
import * as FakeSite from "./utils/FakeSite.js"

const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "x" })
const GONE_RECEIVER = FakeSite.json(404, { success: false, exists: false })

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() }
  })

// every sample of the exposition, by its series (name and labels as written)
const scrape = (site: RunningSite) =>
  Effect.map(get(`${site.siteUrl}/metrics`), (response) => {
    assert.strictEqual(response.status, 200)
    assert.match(response.contentType ?? "", /^text\/plain; version=0\.0\.4/)
    const samples = new Map<string, number>()
    for (const line of response.body.split("\n")) {
      const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line)
      if (match) samples.set(match[1]!, Number(match[2]))
    }
    return { samples, body: response.body }
  })

const delta = (before: Map<string, number>, after: Map<string, number>, series: string) =>
  (after.get(series) ?? Number.NaN) - (before.get(series) ?? 0)

describe("GET /metrics", () => {
  it.live("after a round against fake sites, the counters show each check by outcome", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const sender = yield* FakeSite.make(ACTIVE_SENDER)
      const gone = yield* FakeSite.make(GONE_RECEIVER)
      const nobody = yield* FakeSite.closedPort
      const active = yield* createReceiver(site, sender.url, "active one")
      yield* createReceiver(site, `http://127.0.0.1:${nobody}`, "offline one")
      const severed = yield* createRegisteredSender(site, gone.url)
      const before = (yield* scrape(site)).samples

      const events = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      assert.strictEqual(yield* Deferred.await(events.ended).pipe(within("one round")), "complete")
      yield* Effect.promise(() =>
        fetch(apiUrl(site, "get-connection-status"), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ receiver_url: "https://partner.example.com", auth_token_hash: UNKNOWN_HASH })
        })
      )
      const bad = yield* graphql(site.graphqlUrl, CREATE, {
        input: { name: "x", direction: "RECEIVER", siteUrl: "not a url" }
      })
      assert.isDefined(bad.errors)
      const invalid = yield* graphql(site.graphqlUrl, "{ noSuchField }")
      assert.isDefined(invalid.errors)
      const { samples: after, body } = yield* scrape(site)

      const checks = (kind: string, outcome: string) =>
        delta(before, after, `syncwatch_checks_total{kind="${kind}",outcome="${outcome}"}`)
      assert.strictEqual(checks("sender_status", "active"), 1)
      assert.strictEqual(checks("sender_status", "offline"), 1)
      assert.strictEqual(checks("verification", "not_found"), 1)
      assert.strictEqual(delta(before, after, "syncwatch_severed_total"), 1)
      assert.strictEqual(delta(before, after, "syncwatch_rounds_total"), 1)
      assert.strictEqual(delta(before, after, `syncwatch_check_duration_seconds_count{kind="sender_status"}`), 2)
      assert.strictEqual(delta(before, after, `syncwatch_check_duration_seconds_count{kind="verification"}`), 1)
      assert.strictEqual(after.get("syncwatch_peer_requests_in_flight"), 0)
      assert.strictEqual(after.get(`syncwatch_connections{direction="receiver",status="active"}`), 2)
      assert.strictEqual(after.get(`syncwatch_connections{direction="sender",status="suspended"}`), 1)
      assert.strictEqual(after.get(`syncwatch_connections{direction="sender",status="active"}`), 0)
      assert.strictEqual(
        delta(before, after, `syncwatch_sync_api_requests_total{endpoint="get-connection-status",status="404"}`),
        1
      )
      assert.strictEqual(
        delta(before, after, `syncwatch_graphql_operations_total{type="subscription",errors="false"}`),
        1
      )
      assert.strictEqual(delta(before, after, `syncwatch_graphql_operations_total{type="mutation",errors="true"}`), 1)
      assert.strictEqual(delta(before, after, `syncwatch_graphql_operations_total{type="query",errors="true"}`), 1)
      assert.strictEqual(after.get(`syncwatch_subscribers{operation="statusEvents"}`), 0)
      // bounded labels: no uuid or URL of a connection reaches the exposition
      for (const secret of [active, severed, sender.url, gone.url, "partner.example.com"]) {
        assert.notInclude(body, secret)
      }
    }).pipe(Effect.scoped)
  )

  it.live("an open subscription counts as a subscriber until its client leaves", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const series = `syncwatch_subscribers{operation="statusEvents"}`
      const before = (yield* scrape(site)).samples.get(series) ?? 0
      yield* Effect.gen(function* () {
        const events = yield* sse(site.graphqlUrl, STATUS_EVENTS, { every: 60 })
        yield* events.next.pipe(within("the first round"))
        assert.strictEqual((yield* scrape(site)).samples.get(series), before + 1)
      }).pipe(Effect.scoped)
      // the client left: the server ends the subscription when it notices, and counts it out
      yield* scrape(site).pipe(
        Effect.map(({ samples }) => samples.get(series)),
        Effect.repeat({ until: (open) => open === before }),
        within("the subscriber counted out")
      )
    }).pipe(Effect.scoped)
  )

  it.live("a request to another site counts in flight until it is answered or abandoned", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const hanging = yield* FakeSite.make(FakeSite.hang)
      yield* createReceiver(site, hanging.url, "hangs")
      const series = "syncwatch_peer_requests_in_flight"
      assert.strictEqual((yield* scrape(site)).samples.get(series), 0)
      const left = new AbortController()
      yield* Effect.promise(() =>
        fetch(site.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ senderStatuses { status } }" }),
          signal: left.signal
        }).catch(() => undefined)
      ).pipe(Effect.forkScoped)
      yield* Deferred.await(hanging.received).pipe(within("the remote request"))
      assert.strictEqual((yield* scrape(site)).samples.get(series), 1)
      // the client leaves: the check is interrupted and its request abandoned
      left.abort()
      yield* scrape(site).pipe(
        Effect.map(({ samples }) => samples.get(series)),
        Effect.repeat({ until: (open) => open === 0 }),
        within("the request counted out")
      )
    }).pipe(Effect.scoped)
  )

  it.live("METRICS_ENABLED=false serves no /metrics", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ METRICS_ENABLED: "false" })
      assert.strictEqual((yield* get(`${site.siteUrl}/metrics`)).status, 404)
    }).pipe(Effect.scoped)
  )

  it.live("an invalid METRICS_ENABLED stops the start, naming it", () =>
    Effect.gen(function* () {
      assert.match(yield* startRefused({ METRICS_ENABLED: "maybe" }), /^METRICS_ENABLED: /)
    }).pipe(Effect.scoped)
  )
})
