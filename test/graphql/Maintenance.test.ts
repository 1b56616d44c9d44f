import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"

// maintenance windows and the uptime fields over a real server and a real GraphQL client (live clock)

const ADMIN = "a-long-admin-token-for-tests"
const VIEWER = "a-long-viewer-token-for-tests"
const AS_ADMIN = { authorization: `Bearer ${ADMIN}` }
const AS_VIEWER = { authorization: `Bearer ${VIEWER}` }
const SHOP = "http://127.0.0.1:9"

const CREATE_CONNECTION = `mutation ($url: String!) { createConnection(input: { name: "Shop", direction: RECEIVER, siteUrl: $url }) {
  connection { uuid } } }`
const CREATE = `mutation ($input: CreateMaintenanceInput!) { createMaintenance(input: $input) {
  id siteUrl connectionUuids startsAt endsAt reason active } }`
const END = `mutation ($id: ID!) { endMaintenance(id: $id) { id active } }`
const LIST = `query ($active: Boolean) { maintenances(active: $active) { id active } }`
const CONNECTION = `query ($uuid: ID!) { connection(uuid: $uuid) {
  maintenance { id reason } uptime(window: DAY) responseTime(window: MONTH) { checks p95Ms }
  daily(days: 3) { date uptime checks } } }`

const codes = (result: { readonly errors?: ReadonlyArray<{ readonly extensions?: { code?: unknown } }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.["code"])

const iso = (offsetMinutes: number) => new Date(Date.now() + offsetMinutes * 60_000).toISOString()

describe("maintenance windows over GraphQL", () => {
  it.live("bad windows get typed errors and write nothing; viewers read but may not write", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })
      const created = yield* graphql(site.graphqlUrl, CREATE_CONNECTION, { url: SHOP }, AS_ADMIN)
      const uuid = created.data?.["createConnection"]["connection"]["uuid"] as string
      const window = { uuids: [uuid], startsAt: iso(-1), endsAt: iso(60), reason: "migration" }
      const refused = [
        [{ ...window, endsAt: iso(-2) }, "InvalidInput"],
        [{ ...window, endsAt: iso(367 * 24 * 60) }, "InvalidInput"],
        [{ ...window, uuids: ["01900000-0000-7000-8000-000000000000"] }, "ConnectionNotFound"],
        [{ ...window, siteUrl: SHOP }, "InvalidInput"],
        [{ ...window, uuids: undefined, siteUrl: "http://127.0.0.1:10" }, "InvalidInput"],
        [{ ...window, uuids: undefined, siteUrl: "ftp://x" }, "InvalidSiteUrl"]
      ] as const
      for (const [input, code] of refused) {
        assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, CREATE, { input }, AS_ADMIN)), [code])
      }
      const asViewer = yield* graphql(site.graphqlUrl, CREATE, { input: window }, AS_VIEWER)
      assert.deepStrictEqual(codes(asViewer), ["Forbidden"])
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, END, { id: "x" }, AS_VIEWER)), ["Forbidden"])
      const none = yield* graphql(site.graphqlUrl, LIST, {}, AS_VIEWER)
      assert.deepStrictEqual(none.data, { maintenances: [] }, "nothing was written")
    }).pipe(Effect.scoped)
  )

  it.live("a window for a site covers its connections until it is ended", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })
      const created = yield* graphql(site.graphqlUrl, CREATE_CONNECTION, { url: SHOP }, AS_ADMIN)
      const uuid = created.data?.["createConnection"]["connection"]["uuid"] as string
      const input = { siteUrl: `${SHOP}/`, startsAt: iso(-1), endsAt: iso(60), reason: "migration" }
      const made = (yield* graphql(site.graphqlUrl, CREATE, { input }, AS_ADMIN)).data?.["createMaintenance"]
      assert.deepStrictEqual(
        [made.siteUrl, made.connectionUuids, made.reason, made.active],
        [`${SHOP}/`, [uuid], "migration", true]
      )
      const seen = yield* graphql(site.graphqlUrl, CONNECTION, { uuid }, AS_VIEWER)
      assert.deepStrictEqual(seen.data?.["connection"]["maintenance"], { id: made.id, reason: "migration" })
      assert.isNull(seen.data?.["connection"]["uptime"], "no checks yet")
      assert.deepStrictEqual(seen.data?.["connection"]["responseTime"], { checks: 0, p95Ms: null })
      assert.lengthOf(seen.data?.["connection"]["daily"], 3)
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, LIST, { active: true }, AS_VIEWER)).data, {
        maintenances: [{ id: made.id, active: true }]
      })
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, LIST, { active: false }, AS_VIEWER)).data, {
        maintenances: []
      })
      const ended = yield* graphql(site.graphqlUrl, END, { id: made.id }, AS_ADMIN)
      assert.deepStrictEqual(ended.data, { endMaintenance: { id: made.id, active: false } })
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, LIST, { active: true }, AS_ADMIN)).data, {
        maintenances: []
      })
      const after = yield* graphql(site.graphqlUrl, CONNECTION, { uuid }, AS_ADMIN)
      assert.isNull(after.data?.["connection"]["maintenance"])
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, END, { id: "nope" }, AS_ADMIN)), [
        "MaintenanceNotFound"
      ])
    }).pipe(Effect.scoped)
  )
})
