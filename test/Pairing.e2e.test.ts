import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Scope } from "effect"
import { graphql, type RunningSite, restartSite, startSite } from "./utils/App.js"
import { sse } from "./utils/Clients.js"
import { tempDir } from "./utils/Db.js"

// Two syncwatch instances on loopback, each with its own SQLite file and SITE_URL, observed only
// through GraphQL, the way a frontend would.

const CONNECTION = "uuid name direction siteUrl status remoteNotified suspendedReason"

const ok = (site: RunningSite, query: string, variables: Record<string, unknown> = {}) =>
  Effect.map(graphql(site.graphqlUrl, query, variables), (result) => {
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors))
    return result
  })

const pairFrom = (a: RunningSite, b: RunningSite, name: string) =>
  Effect.map(
    ok(
      a,
      `mutation ($input: CreateConnectionInput!) {
        createConnection(input: $input) { authToken connection { ${CONNECTION} } remoteNotification { success status httpStatus } }
      }`,
      { input: { name, direction: "SENDER", siteUrl: b.siteUrl, notifyRemote: true } }
    ),
    (result) => result.data!["createConnection"] as Record<string, any>
  )

const receiversOf = (site: RunningSite) =>
  Effect.map(
    ok(site, `{ connections(direction: RECEIVER) { ${CONNECTION} } }`),
    (r) => r.data!["connections"] as Array<Record<string, any>>
  )

const STATUS_EVENTS = `subscription ($every: Int) { statusEvents(everySeconds: $every) {
  __typename
  ... on SenderStatusFetched { connectionUuid status reason }
  ... on ReceiverConnectionSevered { connectionUuid connection { status suspendedReason } }
  ... on StatusRoundCompleted { round checked severed }
} }`

describe("two instances watching each other", () => {
  it.live("pair, approve, check, suspend, see it on the next round, delete on both sides", () =>
    Effect.gen(function* () {
      const a = yield* startSite()
      const b = yield* startSite({ INCOMING_MODE: "require_approval" })

      const created = yield* pairFrom(a, b, "Shop")
      const sender = created["connection"]
      assert.deepStrictEqual(created["remoteNotification"], { success: true, status: "pending", httpStatus: 200 })
      assert.deepInclude(sender, { status: "PENDING", remoteNotified: true, siteUrl: b.siteUrl })
      assert.match(created["authToken"], /^[A-Za-z0-9_-]{43}$/)

      const [receiver, ...others] = yield* receiversOf(b)
      assert.deepStrictEqual(others, [])
      assert.deepInclude(receiver, { name: "From: Shop", siteUrl: a.siteUrl, status: "PENDING" })

      // a deliberate change from the reference: B's rounds skip a pending receiver, so a registration alone
      // never makes B call A
      const skipped = yield* sse(b.graphqlUrl, STATUS_EVENTS)
      assert.deepStrictEqual((yield* skipped.next).data, {
        statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 0, severed: 0 }
      })
      const stillPending = yield* ok(a, `{ connection(uuid: "${sender["uuid"]}") { status } }`)
      assert.strictEqual(stillPending.data!["connection"]["status"], "PENDING")

      // B's admin approves the registration, and A is told
      const approved = yield* ok(
        b,
        `mutation { updateConnectionStatus(uuid: "${receiver!["uuid"]}", status: ACTIVE) { connection { status } } }`
      )
      assert.deepInclude(approved.extensions?.["remoteNotices"][0], { endpoint: "update-status", outcome: "updated" })

      // B's admin page mounts: one round, which now asks A
      const round1 = yield* sse(b.graphqlUrl, STATUS_EVENTS, { every: 1 })
      assert.deepStrictEqual((yield* round1.next).data, {
        statusEvents: {
          __typename: "SenderStatusFetched",
          connectionUuid: receiver!["uuid"],
          status: "ACTIVE",
          reason: null
        }
      })
      assert.deepStrictEqual((yield* round1.next).data, {
        statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 1, severed: 0 }
      })
      const activated = yield* ok(a, `{ connection(uuid: "${sender["uuid"]}") { status } }`)
      assert.strictEqual(activated.data!["connection"]["status"], "ACTIVE")

      // A suspends its sender and tells B
      const suspended = yield* ok(
        a,
        `mutation { updateConnectionStatus(uuid: "${sender["uuid"]}", status: SUSPENDED) {
          connection { status } remoteNotice { endpoint outcome } } }`
      )
      assert.deepStrictEqual(suspended.data!["updateConnectionStatus"]["remoteNotice"], {
        endpoint: "update-status",
        outcome: "UPDATED"
      })
      // B's next round (everySeconds: 1) reports it
      assert.deepInclude((yield* round1.next).data!["statusEvents"], {
        __typename: "SenderStatusFetched",
        status: "SUSPENDED"
      })
      assert.deepInclude((yield* round1.next).data!["statusEvents"], { __typename: "StatusRoundCompleted", round: 2 })
      assert.strictEqual((yield* receiversOf(b))[0]!["status"], "SUSPENDED", "A's update-status reached B")

      // B deletes its receiver: A is told first and deletes its sender too
      const deleted = yield* ok(
        b,
        `mutation { deleteConnection(uuid: "${receiver!["uuid"]}") { deleted remoteNotice { endpoint outcome } } }`
      )
      assert.deepStrictEqual(deleted.data!["deleteConnection"], {
        deleted: true,
        remoteNotice: { endpoint: "delete-connection", outcome: "DELETED" }
      })
      assert.deepStrictEqual((yield* ok(a, "{ connections { uuid } }")).data, { connections: [] })
      assert.deepStrictEqual((yield* ok(b, "{ connections { uuid } }")).data, { connections: [] })
    }).pipe(Effect.scoped)
  )

  it.live("auto_accept creates an active receiver", () =>
    Effect.gen(function* () {
      const a = yield* startSite()
      const b = yield* startSite({ INCOMING_MODE: "auto_accept" })
      const created = yield* pairFrom(a, b, "Warehouse")
      assert.deepStrictEqual(created["remoteNotification"], { success: true, status: "registered", httpStatus: 200 })
      assert.strictEqual((yield* receiversOf(b))[0]!["status"], "ACTIVE")
    }).pipe(Effect.scoped)
  )

  it.live("B deletes while A is down; A comes back and its verification severs its sender", () =>
    Effect.gen(function* () {
      const b = yield* startSite({ INCOMING_MODE: "auto_accept" })
      // A's database outlives A's first run
      const dataDir = yield* tempDir
      const aScope = yield* Scope.make()
      const a = yield* startSite({ DATABASE_URL: join(dataDir, "a.db") }).pipe(Scope.extend(aScope))
      const sender = (yield* pairFrom(a, b, "Archive"))["connection"]
      yield* ok(
        a,
        `mutation { updateConnectionStatus(uuid: "${sender["uuid"]}", status: ACTIVE) { connection { status } } }`
      )
      yield* Scope.close(aScope, Exit.void)

      const [receiver] = yield* receiversOf(b)
      const deleted = yield* ok(
        b,
        `mutation { deleteConnection(uuid: "${receiver!["uuid"]}") { deleted remoteNotice { outcome reason } } }`
      )
      assert.deepStrictEqual(deleted.data!["deleteConnection"]["remoteNotice"], {
        outcome: "OFFLINE",
        reason: "refused"
      })
      assert.deepStrictEqual(yield* receiversOf(b), [])

      const again = yield* restartSite(a)
      const changes = yield* sse(
        again.graphqlUrl,
        "subscription { connectionChanged { kind connectionUuid connection { status } } }"
      )
      const events = yield* sse(again.graphqlUrl, STATUS_EVENTS)
      const first = yield* events.next
      assert.deepStrictEqual(first.data, {
        statusEvents: {
          __typename: "ReceiverConnectionSevered",
          connectionUuid: sender["uuid"],
          connection: { status: "SUSPENDED", suspendedReason: "Remote site reports connection not found" }
        }
      })
      assert.deepStrictEqual((yield* events.next).data, {
        statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 1, severed: 1 }
      })
      assert.strictEqual(yield* Deferred.await(events.ended), "complete")
      assert.deepStrictEqual((yield* changes.next).data, {
        connectionChanged: { kind: "UPDATED", connectionUuid: sender["uuid"], connection: { status: "SUSPENDED" } }
      })
    }).pipe(Effect.scoped)
  )
})
