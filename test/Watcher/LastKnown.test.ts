import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { createReceiver, createRegisteredSender, graphql, restartSite, startSite } from "../utils/App.js"
import { sse, within } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { STORES } from "../utils/Stores.js"

const LAST_KNOWN = `query ($uuid: ID!, $limit: Int) {
  connection(uuid: $uuid) {
    lastSenderStatus { status reason checkedAt }
    lastVerification { outcome reason checkedAt }
    statusHistory(limit: $limit) { connectionUuid from to reason at }
  }
}`

const STATUS_CHANGED = "subscription { statusChanged { connectionUuid from to reason } }"

describe.each(STORES)("last-known status and history on $name", (store) => {
  it.live("survive a restart; statusChanged sees each row as it is written", () =>
    Effect.gen(function* () {
      let answer: FakeSite.Answer = FakeSite.json(200, { success: true, status: "active", name: "n" })
      const remote = yield* FakeSite.make(() => answer)
      const remoteReceiver = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
      // the database outlives the first run
      const databaseUrl = yield* store.databaseUrl
      const first = yield* Effect.scoped(
        Effect.gen(function* () {
          const site = yield* startSite({ DATABASE_URL: databaseUrl })
          const receiver = yield* createReceiver(site, remote.url)
          const sender = yield* createRegisteredSender(site, remoteReceiver.url)
          const before = yield* graphql(site.graphqlUrl, LAST_KNOWN, { uuid: receiver })
          assert.deepStrictEqual(before.data, {
            connection: { lastSenderStatus: null, lastVerification: null, statusHistory: [] }
          })
          const changes = yield* sse(site.graphqlUrl, STATUS_CHANGED)
          yield* Deferred.await(changes.started).pipe(within("the statusChanged subscription"))
          yield* graphql(site.graphqlUrl, "{ senderStatuses { status } }")
          yield* graphql(site.graphqlUrl, "mutation { verifyReceiverConnections { outcome } }")
          answer = FakeSite.json(500, { success: false })
          yield* graphql(site.graphqlUrl, "{ senderStatuses { status } }")
          // a repeat of the same outcome writes nothing
          yield* graphql(site.graphqlUrl, "{ senderStatuses { status } }")
          const seen = [yield* changes.next, yield* changes.next, yield* changes.next].map(
            (r) => r.data?.["statusChanged"]
          )
          assert.deepStrictEqual(seen, [
            { connectionUuid: receiver, from: null, to: "ACTIVE", reason: null },
            { connectionUuid: sender, from: null, to: "EXISTS", reason: null },
            { connectionUuid: receiver, from: "ACTIVE", to: "ERROR", reason: "http_500" }
          ])
          const receiverView = yield* graphql(site.graphqlUrl, LAST_KNOWN, { uuid: receiver })
          const senderView = yield* graphql(site.graphqlUrl, LAST_KNOWN, { uuid: sender })
          return { site, receiver, sender, receiverView, senderView }
        })
      )
      const { receiverView, senderView } = first
      assert.deepInclude(receiverView.data?.["connection"]["lastSenderStatus"], { status: "ERROR", reason: "http_500" })
      assert.isNull(receiverView.data?.["connection"]["lastVerification"])
      assert.deepStrictEqual(
        receiverView.data?.["connection"]["statusHistory"].map((c: any) => [c.from, c.to, c.reason]),
        [
          ["ACTIVE", "ERROR", "http_500"],
          [null, "ACTIVE", null]
        ]
      )
      assert.deepInclude(senderView.data?.["connection"]["lastVerification"], { outcome: "EXISTS", reason: null })
      assert.isNull(senderView.data?.["connection"]["lastSenderStatus"])

      // the same database, a new process: nothing was checked since, everything is still known
      const requestsBefore = (yield* remote.requests).length
      const again = yield* restartSite(first.site)
      const receiverAfter = yield* graphql(again.graphqlUrl, LAST_KNOWN, { uuid: first.receiver })
      const senderAfter = yield* graphql(again.graphqlUrl, LAST_KNOWN, { uuid: first.sender })
      assert.deepStrictEqual(receiverAfter.data, receiverView.data)
      assert.deepStrictEqual(senderAfter.data, senderView.data)
      assert.lengthOf(yield* remote.requests, requestsBefore)

      const limited = yield* graphql(again.graphqlUrl, LAST_KNOWN, { uuid: first.receiver, limit: 1 })
      assert.lengthOf(limited.data?.["connection"]["statusHistory"], 1)
      for (const limit of [0, 1001]) {
        const refused = yield* graphql(again.graphqlUrl, LAST_KNOWN, { uuid: first.receiver, limit })
        assert.deepStrictEqual(
          refused.errors?.map((e) => e.extensions?.code),
          ["InvalidInput"]
        )
      }
    }).pipe(Effect.scoped)
  )
})
