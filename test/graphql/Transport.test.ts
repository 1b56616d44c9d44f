import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { CREATE, createReceiver, createRegisteredSender, graphql, startSite } from "../utils/App.js"
import { sse, turns, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { CONNECTION_CHANGED, STATUS_EVENTS } from "./Documents.js"

const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "x" })
const GONE_RECEIVER = FakeSite.json(404, { success: false, exists: false })

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() }
  })

describe("plain HTTP, per GraphQL-over-HTTP", () => {
  it.live("POST application/json", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* request(site.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query: "{ connections { uuid } }" })
      })
      assert.strictEqual(response.status, 200)
      assert.match(response.contentType ?? "", /^application\/json/)
      assert.deepStrictEqual(JSON.parse(response.body), { data: { connections: [] } })
    }).pipe(Effect.scoped)
  )

  it.live("GET with accept: application/graphql-response+json", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const query = encodeURIComponent("{ connections { uuid } }")
      const response = yield* request(`${site.graphqlUrl}?query=${query}`, {
        headers: { accept: "application/graphql-response+json" }
      })
      assert.strictEqual(response.status, 200)
      assert.match(response.contentType ?? "", /^application\/graphql-response\+json/)
      assert.deepStrictEqual(JSON.parse(response.body), { data: { connections: [] } })
    }).pipe(Effect.scoped)
  )

  it.live("a mutation over GET is refused with 405 and changes nothing", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const query = `mutation { createConnection(input: { name: "x", direction: RECEIVER, siteUrl: "http://127.0.0.1:9" }) { authToken } }`
      const response = yield* request(`${site.graphqlUrl}?query=${encodeURIComponent(query)}`, {
        headers: { accept: "application/graphql-response+json" }
      })
      assert.strictEqual(response.status, 405)
      const after = yield* graphql(site.graphqlUrl, "{ connections { uuid } }")
      assert.deepStrictEqual(after.data, { connections: [] })
    }).pipe(Effect.scoped)
  )

  it.live("a browser gets GraphiQL", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* request(site.graphqlUrl, { headers: { accept: "text/html" } })
      assert.strictEqual(response.status, 200)
      assert.match(response.contentType ?? "", /^text\/html/)
      assert.include(response.body, "GraphiQL")
    }).pipe(Effect.scoped)
  )

  it.live("/health answers ok", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* request(`${site.siteUrl}/health`)
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(JSON.parse(response.body), { status: "ok" })
    }).pipe(Effect.scoped)
  )
})

describe("SSE", () => {
  it.live("connectionChanged reports what another client changes", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const changes = yield* sse(site.graphqlUrl, CONNECTION_CHANGED)
      yield* Deferred.await(changes.started).pipe(within("first ping"))
      yield* turns()

      const uuid = yield* createReceiver(site, remote.url)
      yield* graphql(
        site.graphqlUrl,
        `mutation ($uuid: ID!) { updateConnectionStatus(uuid: $uuid, status: SUSPENDED, reason: "r") { connection { uuid } } }`,
        { uuid }
      )
      yield* graphql(site.graphqlUrl, "mutation ($uuid: ID!) { deleteConnection(uuid: $uuid) { deleted } }", { uuid })

      const seen = yield* Effect.all([changes.next, changes.next, changes.next]).pipe(within("three changes"))
      expect(seen).toMatchObject([
        { data: { connectionChanged: { kind: "CREATED", connectionUuid: uuid, connection: { status: "ACTIVE" } } } },
        {
          data: {
            connectionChanged: {
              kind: "UPDATED",
              connectionUuid: uuid,
              connection: { status: "SUSPENDED", suspendedReason: "r" }
            }
          }
        },
        { data: { connectionChanged: { kind: "DELETED", connectionUuid: uuid, connection: null } } }
      ])
    }).pipe(Effect.scoped)
  )

  it.live("statusEvents: a receiver's sender status, then the round's summary", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const uuid = yield* createReceiver(site, remote.url)
      const events = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      const seen = yield* Effect.all([events.next, events.next]).pipe(within("one round"))
      assert.deepStrictEqual(seen, [
        {
          data: {
            statusEvents: {
              __typename: "SenderStatusFetched",
              connectionUuid: uuid,
              status: "ACTIVE",
              remoteStatus: "active",
              reason: null
            }
          }
        },
        { data: { statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 1, severed: 0 } } }
      ])
      // one round without everySeconds: the server completes the stream
      assert.strictEqual(yield* Deferred.await(events.ended).pipe(within("end of stream")), "complete")
    }).pipe(Effect.scoped)
  )

  it.live("statusEvents: a sender the remote no longer knows is severed, and connectionChanged sees it", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(GONE_RECEIVER)
      const uuid = yield* createRegisteredSender(site, remote.url)
      const changes = yield* sse(site.graphqlUrl, CONNECTION_CHANGED)
      yield* Deferred.await(changes.started).pipe(within("first ping"))
      yield* turns()

      const events = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      const [severed, completed] = yield* Effect.all([events.next, events.next]).pipe(within("one round"))
      expect(severed).toMatchObject({
        data: {
          statusEvents: {
            __typename: "ReceiverConnectionSevered",
            connectionUuid: uuid,
            connection: { uuid, status: "SUSPENDED", suspendedReason: expect.any(String) }
          }
        }
      })
      assert.deepStrictEqual(completed, {
        data: { statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 1, severed: 1 } }
      })
      expect(yield* changes.next.pipe(within("the change"))).toMatchObject({
        data: {
          connectionChanged: {
            kind: "UPDATED",
            connectionUuid: uuid,
            connection: { status: "SUSPENDED", suspendedReason: expect.any(String) }
          }
        }
      })
      const received = yield* Deferred.await(remote.received)
      assert.match(received.path, /verify-connection$/)
    }).pipe(Effect.scoped)
  )
})

describe("graphql-ws", () => {
  it.live("statusEvents: the same round over a WebSocket", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const uuid = yield* createReceiver(site, remote.url)
      const client = yield* wsClient(site.port)
      const events = yield* wsSubscribe(client, STATUS_EVENTS)
      const seen = yield* Effect.all([events.next, events.next]).pipe(within("one round"))
      expect(seen).toMatchObject([
        { data: { statusEvents: { __typename: "SenderStatusFetched", connectionUuid: uuid, status: "ACTIVE" } } },
        { data: { statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 1, severed: 0 } } }
      ])
      yield* Deferred.await(events.done).pipe(within("completion"))
    }).pipe(Effect.scoped)
  )

  it.live("a query and a mutation over the socket", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const client = yield* wsClient(site.port)
      const created = yield* wsSubscribe(client, CREATE, {
        input: { name: "over ws", direction: "RECEIVER", siteUrl: remote.url }
      })
      const result = yield* created.next.pipe(within("createConnection"))
      expect(result).toMatchObject({ data: { createConnection: { connection: { status: "ACTIVE" } } } })
      const { uuid } = (result.data as { createConnection: { connection: { uuid: string } } }).createConnection
        .connection
      const listed = yield* wsSubscribe(client, "{ connections { uuid name direction } }")
      assert.deepStrictEqual(yield* listed.next.pipe(within("connections")), {
        data: { connections: [{ uuid, name: "over ws", direction: "RECEIVER" }] }
      })
    }).pipe(Effect.scoped)
  )
})

describe("errors", () => {
  it.live("a typed failure is a 200 GraphQL response with its code", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* request(site.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({
          query: CREATE,
          variables: { input: { name: "x", direction: "RECEIVER", siteUrl: "file:///etc/passwd" } }
        })
      })
      assert.strictEqual(response.status, 200)
      expect(JSON.parse(response.body)).toMatchObject({
        data: null,
        errors: [{ path: ["createConnection"], extensions: { code: "InvalidSiteUrl" } }]
      })
    }).pipe(Effect.scoped)
  )

  it.live("a syntax error over graphql-ws fails that operation only; the socket stays open", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      let opened = 0
      const client = yield* wsClient(site.port, { connected: () => opened++ })
      const open = yield* wsSubscribe(client, CONNECTION_CHANGED)
      const broken = yield* wsSubscribe(client, "{ connections { uuid ")
      const error = yield* Deferred.await(broken.done).pipe(Effect.flip, within("the syntax error"))
      expect(error).toMatchObject([{ message: expect.stringContaining("Syntax Error") }])
      const listed = yield* wsSubscribe(client, "{ connections { uuid } }")
      assert.deepStrictEqual(yield* listed.next.pipe(within("connections")), { data: { connections: [] } })
      assert.strictEqual(opened, 1)
      assert.isFalse(yield* Deferred.isDone(open.done))
    }).pipe(Effect.scoped)
  )

  it.live("statusEvents(everySeconds: 0) is refused with InvalidInput, over SSE and graphql-ws", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const overSse = yield* sse(site.graphqlUrl, STATUS_EVENTS, { every: 0 })
      expect(yield* overSse.next.pipe(within("SSE error"))).toMatchObject({
        errors: [{ extensions: { code: "InvalidInput" } }]
      })
      const client = yield* wsClient(site.port)
      const overWs = yield* wsSubscribe(client, STATUS_EVENTS, { every: 0 })
      const error = yield* Deferred.await(overWs.done).pipe(Effect.flip, within("ws error"))
      expect(error).toMatchObject([{ extensions: { code: "InvalidInput" } }])
    }).pipe(Effect.scoped)
  )
})
