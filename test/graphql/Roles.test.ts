import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either } from "effect"
import { graphql, type RunningSite, startSite } from "../utils/App.js"
import { type Result, sse, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { captureLogs, logfmt } from "../utils/Logs.js"
import { CONNECTION_CHANGED } from "./Documents.js"
import { edgeSettings } from "./EdgeSettings.js"

// VIEWER_TOKEN: queries and subscriptions, never a mutation, over every transport the API speaks

const ADMIN = "a-long-admin-token-for-tests"
const VIEWER = "a-long-viewer-token-for-tests"
const AS_ADMIN = { authorization: `Bearer ${ADMIN}` }
const AS_VIEWER = { authorization: `Bearer ${VIEWER}` }

const CREATE = `mutation { createConnection(input: { name: "Shop", direction: RECEIVER, siteUrl: "http://127.0.0.1:9" }) {
  connection { uuid } } }`
const SUSPEND = `mutation ($uuid: ID!) { updateConnectionStatus(uuid: $uuid, status: SUSPENDED) { connection { status } } }`
const LIST = "{ connections { uuid status } }"
const ROLE = "{ viewer { role } }"

const codes = (result: Result | { readonly errors?: ReadonlyArray<{ readonly extensions?: { code?: unknown } }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.["code"])

const withViewer = Effect.gen(function* () {
  const site = yield* startSite({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })
  const created = yield* graphql(site.graphqlUrl, CREATE, {}, AS_ADMIN)
  const uuid = created.data?.["createConnection"]["connection"]["uuid"] as string
  assert.isString(uuid, JSON.stringify(created))
  return { site, uuid }
})

const unchanged = (site: RunningSite, uuid: string) =>
  Effect.gen(function* () {
    const listed = yield* graphql(site.graphqlUrl, LIST, {}, AS_ADMIN)
    assert.deepStrictEqual(listed.data?.["connections"], [{ uuid, status: "ACTIVE" }])
  })

describe("VIEWER_TOKEN", () => {
  it.live("HTTP: the viewer reads and learns its role; every mutation is Forbidden and changes nothing", () =>
    Effect.gen(function* () {
      const { site, uuid } = yield* withViewer
      expect((yield* graphql(site.graphqlUrl, ROLE, {}, AS_VIEWER)).data).toEqual({ viewer: { role: "VIEWER" } })
      expect((yield* graphql(site.graphqlUrl, ROLE, {}, AS_ADMIN)).data).toEqual({ viewer: { role: "ADMIN" } })
      expect((yield* graphql(site.graphqlUrl, LIST, {}, AS_VIEWER)).data).toEqual({
        connections: [{ uuid, status: "ACTIVE" }]
      })
      const suspend = yield* graphql(site.graphqlUrl, SUSPEND, { uuid }, AS_VIEWER)
      assert.deepStrictEqual(codes(suspend), ["Forbidden"])
      assert.isUndefined(suspend.data?.["updateConnectionStatus"])
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, CREATE, {}, AS_VIEWER)), ["Forbidden"])
      const verify = yield* graphql(
        site.graphqlUrl,
        "mutation { verifyReceiverConnections { outcome } }",
        {},
        AS_VIEWER
      )
      assert.deepStrictEqual(codes(verify), ["Forbidden"])
      yield* unchanged(site, uuid)
      // the admin still may
      const admin = yield* graphql(site.graphqlUrl, SUSPEND, { uuid }, AS_ADMIN)
      assert.deepStrictEqual(admin.data, { updateConnectionStatus: { connection: { status: "SUSPENDED" } } })
    }).pipe(Effect.scoped)
  )

  it.live("SSE: the viewer subscribes; a mutation sent as an event stream is Forbidden", () =>
    Effect.gen(function* () {
      const { site, uuid } = yield* withViewer
      const changes = yield* sse(site.graphqlUrl, CONNECTION_CHANGED, {}, AS_VIEWER)
      yield* Deferred.await(changes.started).pipe(within("first ping"))
      assert.strictEqual(changes.response.status, 200)
      const mutation = yield* sse(site.graphqlUrl, SUSPEND, { uuid }, AS_VIEWER)
      assert.deepStrictEqual(codes(yield* mutation.next.pipe(within("the refusal"))), ["Forbidden"])
      yield* unchanged(site, uuid)
      // the viewer's subscription sees the admin's change
      yield* graphql(site.graphqlUrl, SUSPEND, { uuid }, AS_ADMIN)
      expect(yield* changes.next.pipe(within("the change"))).toMatchObject({
        data: { connectionChanged: { kind: "UPDATED", connectionUuid: uuid, connection: { status: "SUSPENDED" } } }
      })
    }).pipe(Effect.scoped)
  )

  it.live("graphql-ws: the viewer queries and subscribes on its socket; a mutation is Forbidden", () =>
    Effect.gen(function* () {
      const { site, uuid } = yield* withViewer
      const viewer = yield* wsClient(site.port, {}, { connectionParams: AS_VIEWER })
      expect(yield* (yield* wsSubscribe(viewer, ROLE)).next.pipe(within("a ws query"))).toEqual({
        data: { viewer: { role: "VIEWER" } }
      })
      const changes = yield* wsSubscribe(viewer, CONNECTION_CHANGED)
      const refused = yield* (yield* wsSubscribe(viewer, SUSPEND, { uuid })).next.pipe(within("the refusal"))
      assert.deepStrictEqual(codes(refused), ["Forbidden"])
      yield* unchanged(site, uuid)
      const admin = yield* wsClient(site.port, {}, { connectionParams: AS_ADMIN })
      expect(
        yield* (yield* wsSubscribe(admin, SUSPEND, { uuid })).next.pipe(within("the admin's mutation"))
      ).toMatchObject({
        data: { updateConnectionStatus: { connection: { status: "SUSPENDED" } } }
      })
      expect(yield* changes.next.pipe(within("the change"))).toMatchObject({
        data: { connectionChanged: { kind: "UPDATED", connectionUuid: uuid } }
      })
    }).pipe(Effect.scoped)
  )

  it.live(
    "remoteSite is the admin's: a viewer's is Forbidden over HTTP and graphql-ws, however spelled, and dials nothing",
    () =>
      Effect.gen(function* () {
        const { site } = yield* withViewer
        const remote = yield* FakeSite.make(
          FakeSite.json(200, { enabled: true, incoming_mode: "auto_accept", password_required: false })
        )
        const spellings = [
          "query ($url: String!) { remoteSite(siteUrl: $url) { enabled } }",
          "query ($url: String!) { connections { uuid } probe: remoteSite(siteUrl: $url) { enabled } }",
          "query ($url: String!) { ... on Query { remoteSite(siteUrl: $url) { enabled } } }",
          "query ($url: String!) { ...Probe } fragment Probe on Query { remoteSite(siteUrl: $url) { enabled } }"
        ]
        for (const query of spellings) {
          const refused = yield* graphql(site.graphqlUrl, query, { url: remote.url }, AS_VIEWER)
          assert.deepStrictEqual(codes(refused), ["Forbidden"], query)
          assert.include(refused.errors?.[0]?.message, "may not query remoteSite")
          assert.isUndefined(refused.data?.["connections"], query)
        }
        const viewer = yield* wsClient(site.port, {}, { connectionParams: AS_VIEWER })
        const overWs = yield* (yield* wsSubscribe(viewer, spellings[0]!, { url: remote.url })).next.pipe(
          within("the refusal over graphql-ws")
        )
        assert.deepStrictEqual(codes(overWs), ["Forbidden"])
        assert.lengthOf(yield* remote.requests, 0, "a viewer's remoteSite never left")
        // the same query as the admin reaches the site
        const admin = yield* graphql(site.graphqlUrl, spellings[0]!, { url: remote.url }, AS_ADMIN)
        assert.deepStrictEqual(admin.data, { remoteSite: { enabled: true } })
        assert.lengthOf(yield* remote.requests, 1)
      }).pipe(Effect.scoped)
  )

  it.live("without tokens every caller is an admin, as before", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      expect((yield* graphql(site.graphqlUrl, ROLE)).data).toEqual({ viewer: { role: "ADMIN" } })
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, CREATE)), [])
    }).pipe(Effect.scoped)
  )

  it.live("is never logged, right or wrong", () => {
    const { lines, layer: capture } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const { site, uuid } = yield* withViewer.pipe(Effect.provide(capture))
      yield* graphql(site.graphqlUrl, SUSPEND, { uuid }, AS_VIEWER)
      yield* graphql(site.graphqlUrl, LIST, {}, { authorization: `Bearer ${VIEWER}x` })
      expect(lines.filter((line) => line.includes(VIEWER))).toEqual([])
    }).pipe(Effect.scoped)
  })
})

describe("VIEWER_TOKEN at start-up", () => {
  it.effect("is refused when short, without ADMIN_TOKEN, or equal to it, naming the variable", () =>
    Effect.gen(function* () {
      for (const values of [
        { ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: "short" },
        { VIEWER_TOKEN: VIEWER },
        { ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: ADMIN }
      ]) {
        const refused = yield* edgeSettings(values)
        assert.isTrue(Either.isLeft(refused), JSON.stringify(values))
        if (Either.isLeft(refused)) assert.include(String(refused.left), "VIEWER_TOKEN")
      }
      assert.isTrue(Either.isRight(yield* edgeSettings({ ADMIN_TOKEN: ADMIN, VIEWER_TOKEN: VIEWER })))
    })
  )
})
