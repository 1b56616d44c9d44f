import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import type { YogaServerInstance } from "graphql-yoga"
import { Connections, type ConnectionsApi } from "../../src/Connections.js"
import * as Yoga from "../../src/graphql/Yoga.js"
import { Maintenances } from "../../src/Maintenance.js"
import { Pairing } from "../../src/Pairing.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"
import { Rollups } from "../../src/Rollups.js"
import { Services } from "../../src/Server.js"
import { Watcher } from "../../src/Watcher.js"
import { sse } from "../utils/Clients.js"
import { SqlTest, withConfig } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { captureLogs, logfmt } from "../utils/Logs.js"

const SELF = "https://me.example.com"

type Result = {
  readonly data?: Record<string, any> | null
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: { readonly code?: string } }>
  readonly extensions?: Record<string, any>
}

// yoga in-process, over the real services and a real SQLite file; only the transport is skipped
const withYoga = <A, E>(
  use: (yoga: YogaServerInstance<object, object>) => Effect.Effect<A, E, never>,
  config: Record<string, string> = {}
) =>
  Effect.flatMap(Yoga.make, (yoga) => use(yoga as never)).pipe(
    Effect.provide(Services(Layer.mergeAll(SqlTest, PeerHttpClientLive))),
    Effect.provide(withConfig({ SITE_URL: SELF, ALLOW_INTERNAL_URLS: "true", ...config })),
    Effect.scoped
  )

const exec = (yoga: YogaServerInstance<object, object>, query: string, variables: Record<string, unknown> = {}) =>
  Effect.promise(async () => {
    const response = await yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query, variables })
    })
    return (await response.json()) as Result
  })

const CREATE = `mutation ($input: CreateConnectionInput!) {
  createConnection(input: $input) {
    authToken
    connection { uuid name direction siteUrl status remoteNotified remoteNotification { success status } insertedAt }
  }
}`

const create = (yoga: YogaServerInstance<object, object>, input: Record<string, unknown>) =>
  Effect.map(exec(yoga, CREATE, { input }), (result) => {
    if (result.errors) throw new Error(JSON.stringify(result.errors))
    return result.data!["createConnection"] as { authToken: string; connection: Record<string, any> }
  })

const codes = (result: Result) => result.errors?.map((error) => error.extensions?.code)

describe("queries and mutations", () => {
  it.live("creates connections with their defaults and shows the token once", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const sender = yield* create(yoga, {
          name: "To shop",
          direction: "SENDER",
          siteUrl: "https://shop.example.com"
        })
        assert.match(sender.authToken, /^[A-Za-z0-9_-]{43}$/)
        assert.deepInclude(sender.connection, {
          name: "To shop",
          direction: "SENDER",
          siteUrl: "https://shop.example.com",
          status: "PENDING",
          remoteNotified: false,
          remoteNotification: null
        })
        assert.match(sender.connection["insertedAt"], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        const receiver = yield* create(yoga, {
          name: "From shop",
          direction: "RECEIVER",
          siteUrl: "https://shop.example.com",
          authToken: "given-token"
        })
        assert.strictEqual(receiver.authToken, "given-token")
        assert.strictEqual(receiver.connection["status"], "ACTIVE")
        const marked = yield* create(yoga, {
          name: "Marked",
          direction: "SENDER",
          siteUrl: "https://other.example.com",
          status: "ACTIVE",
          remoteNotified: true
        })
        assert.deepInclude(marked.connection, {
          remoteNotified: true,
          remoteNotification: { success: true, status: "registered" }
        })

        const all = yield* exec(yoga, "{ connections { uuid } }")
        assert.strictEqual(all.data!["connections"].length, 3)
        const senders = yield* exec(yoga, "{ connections(direction: SENDER, status: PENDING) { uuid } }")
        assert.deepStrictEqual(senders.data!["connections"], [{ uuid: sender.connection["uuid"] }])
        const one = yield* exec(yoga, `{ connection(uuid: "${receiver.connection["uuid"]}") { name } }`)
        assert.deepStrictEqual(one.data, { connection: { name: "From shop" } })
        const none = yield* exec(yoga, `{ connection(uuid: "01900000-0000-7000-8000-000000000000") { name } }`)
        assert.deepStrictEqual(none.data, { connection: null })
        // the token is never readable again
        const leaked = yield* exec(yoga, "{ connections { authToken } }")
        assert.strictEqual(leaked.errors?.length, 1)
      })
    )
  )

  it.live("refuses bad input with a typed code and writes nothing", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const attempt = (input: Record<string, unknown>) => Effect.map(exec(yoga, CREATE, { input }), codes)
        const base = { name: "x", direction: "SENDER", siteUrl: "https://a.example.com" }
        assert.deepStrictEqual(yield* attempt({ ...base, siteUrl: "file:///etc/passwd" }), ["InvalidSiteUrl"])
        assert.deepStrictEqual(yield* attempt({ ...base, siteUrl: SELF }), ["SelfConnection"])
        assert.deepStrictEqual(yield* attempt({ ...base, name: "  " }), ["InvalidInput"])
        assert.deepStrictEqual(yield* attempt({ ...base, authToken: "" }), ["InvalidInput"])
        // a variable the schema refuses (an enum value it lacks): coded by the server, not left without a code
        assert.deepStrictEqual(yield* attempt({ ...base, direction: "SIDEWAYS" }), ["BAD_USER_INPUT"])
        assert.deepStrictEqual((yield* exec(yoga, "{ connections { uuid } }")).data, { connections: [] })

        yield* create(yoga, base)
        assert.deepStrictEqual(yield* attempt(base), ["DuplicateConnection"])
        const invalid = yield* exec(yoga, `{ connection(uuid: "not-a-uuid") { name } }`)
        assert.deepStrictEqual(codes(invalid), ["InvalidInput"])
        const unknown = "01900000-0000-7000-8000-000000000000"
        const update = yield* exec(
          yoga,
          `mutation { updateConnectionStatus(uuid: "${unknown}", status: ACTIVE) { connection { uuid } } }`
        )
        assert.deepStrictEqual(codes(update), ["ConnectionNotFound"])
        const remove = yield* exec(yoga, `mutation { deleteConnection(uuid: "${unknown}") { deleted } }`)
        assert.deepStrictEqual(codes(remove), ["ConnectionNotFound"])
        const statuses = yield* exec(yoga, `{ senderStatuses(uuids: ["${unknown}"]) { status } }`)
        assert.deepStrictEqual(codes(statuses), ["ConnectionNotFound"])
        assert.strictEqual((yield* exec(yoga, "{ connections { uuid } }")).data!["connections"].length, 1)
      })
    )
  )

  it.live("changes a status locally, tells the remote and reports what it was told", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(
          FakeSite.json(200, { success: true, message: "Status updated to suspended" })
        )
        const { connection } = yield* create(yoga, { name: "r", direction: "RECEIVER", siteUrl: remote.url })
        const result = yield* exec(
          yoga,
          `mutation { updateConnectionStatus(uuid: "${connection["uuid"]}", status: SUSPENDED, reason: "maintenance") {
            connection { status suspendedAt suspendedReason statusChangedBy }
            remoteNotice { connectionUuid endpoint outcome reason } } }`
        )
        const payload = result.data!["updateConnectionStatus"]
        assert.deepInclude(payload["connection"], {
          status: "SUSPENDED",
          suspendedReason: "maintenance",
          statusChangedBy: "ADMIN"
        })
        assert.isString(payload["connection"]["suspendedAt"])
        const notice = {
          connectionUuid: connection["uuid"],
          endpoint: "update-status",
          outcome: "UPDATED",
          reason: null
        }
        assert.deepStrictEqual(payload["remoteNotice"], notice)
        // deprecated, kept one more release
        assert.deepStrictEqual(result.extensions?.["remoteNotices"], [{ ...notice, outcome: "updated" }])
        const [request] = yield* remote.requests
        assert.strictEqual(request?.path, "/phoenix_kit/sync/api/update-status")
        assert.deepInclude(request?.body as object, { sender_url: SELF, status: "suspended" })
      }).pipe(Effect.scoped)
    )
  )

  it.live("a remote that cannot be told never blocks the local change", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const port = yield* FakeSite.closedPort
        const { connection } = yield* create(yoga, {
          name: "r",
          direction: "RECEIVER",
          siteUrl: `http://127.0.0.1:${port}`
        })
        const update = yield* exec(
          yoga,
          `mutation { updateConnectionStatus(uuid: "${connection["uuid"]}", status: REVOKED) {
            connection { status revokedReason } remoteNotice { outcome reason } } }`
        )
        assert.deepStrictEqual(update.data, {
          updateConnectionStatus: {
            connection: { status: "REVOKED", revokedReason: "Revoked by admin" },
            remoteNotice: { outcome: "OFFLINE", reason: "refused" }
          }
        })
        const removed = yield* exec(
          yoga,
          `mutation { deleteConnection(uuid: "${connection["uuid"]}") { deleted remoteNotice { endpoint outcome } } }`
        )
        assert.deepStrictEqual(removed.data, {
          deleteConnection: { deleted: true, remoteNotice: { endpoint: "delete-connection", outcome: "OFFLINE" } }
        })
        assert.deepStrictEqual((yield* exec(yoga, "{ connections { uuid } }")).data, { connections: [] })
      })
    )
  )

  it.live("deleting tells the remote before the local row goes", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, message: "Connection deleted" }))
        const { connection } = yield* create(yoga, { name: "s", direction: "SENDER", siteUrl: remote.url })
        const removed = yield* exec(
          yoga,
          `mutation { deleteConnection(uuid: "${connection["uuid"]}") { deleted remoteNotice { outcome } } }`
        )
        assert.deepStrictEqual(removed.data, {
          deleteConnection: { deleted: true, remoteNotice: { outcome: "DELETED" } }
        })
        const [request] = yield* remote.requests
        assert.strictEqual(request?.path, "/phoenix_kit/sync/api/delete-connection")
      }).pipe(Effect.scoped)
    )
  )

  it.live("senderStatuses checks the receivers asked for; verifyReceiverConnections severs", () =>
    withYoga((yoga) =>
      Effect.gen(function* () {
        const sender = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "suspended", name: "n" }))
        const receiverSite = yield* FakeSite.make(FakeSite.json(404, { success: false, exists: false }))
        const r = yield* create(yoga, { name: "r", direction: "RECEIVER", siteUrl: sender.url })
        const s = yield* create(yoga, {
          name: "s",
          direction: "SENDER",
          siteUrl: receiverSite.url,
          status: "ACTIVE",
          remoteNotified: true
        })
        const statuses = yield* exec(
          yoga,
          `{ senderStatuses { connectionUuid status remoteStatus reason checkedAt durationMs } }`
        )
        assert.deepInclude(statuses.data!["senderStatuses"][0], {
          connectionUuid: r.connection["uuid"],
          status: "SUSPENDED",
          remoteStatus: "suspended",
          reason: null
        })
        const wrong = yield* exec(yoga, `{ senderStatuses(uuids: ["${s.connection["uuid"]}"]) { status } }`)
        assert.deepStrictEqual(codes(wrong), ["InvalidInput"])
        const verified = yield* exec(
          yoga,
          `mutation { verifyReceiverConnections { connectionUuid outcome suspended reason } }`
        )
        assert.deepStrictEqual(verified.data!["verifyReceiverConnections"], [
          { connectionUuid: s.connection["uuid"], outcome: "NOT_FOUND", suspended: true, reason: "not_found" }
        ])
        const after = yield* exec(yoga, `{ connection(uuid: "${s.connection["uuid"]}") { status suspendedReason } }`)
        assert.deepStrictEqual(after.data, {
          connection: { status: "SUSPENDED", suspendedReason: "Remote site reports connection not found" }
        })
      }).pipe(Effect.scoped)
    )
  )
})

describe("remoteSite", () => {
  it.live("asks a site whether it takes connections, behind the site-URL guard", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(
        FakeSite.json(200, { enabled: true, incoming_mode: "require_password", password_required: true })
      )
      const query = `query ($url: String!) { remoteSite(siteUrl: $url) { siteUrl enabled incomingMode passwordRequired } }`
      const answer = yield* withYoga((yoga) => exec(yoga, query, { url: remote.url }))
      assert.deepStrictEqual(answer.data, {
        remoteSite: { siteUrl: remote.url, enabled: true, incomingMode: "require_password", passwordRequired: true }
      })
      const guarded = yield* withYoga((yoga) => exec(yoga, query, { url: remote.url }), {
        ALLOW_INTERNAL_URLS: "false"
      })
      assert.deepStrictEqual(codes(guarded), ["InvalidSiteUrl"])
      const port = yield* FakeSite.closedPort
      const offline = yield* withYoga((yoga) => exec(yoga, query, { url: `http://127.0.0.1:${port}` }))
      assert.deepStrictEqual(codes(offline), ["Offline"])
      assert.strictEqual((yield* remote.requests).length, 1, "the guarded call never left")
    }).pipe(Effect.scoped)
  )
})

describe("defects", () => {
  it.live("are masked, and logged once with their cause", () =>
    Effect.gen(function* () {
      const { lines, layer: capture } = captureLogs(logfmt)
      const dying = Layer.succeed(
        Connections,
        Connections.of({
          list: () => Effect.die(new Error("secret internals")),
          listBounded: () => Effect.die(new Error("secret internals"))
        } as unknown as ConnectionsApi)
      )
      const stub = <T>(tag: { new (x: never): T }) => new tag({} as never)
      const result = yield* Effect.flatMap(Yoga.make, (yoga) => exec(yoga as never, "{ connections { uuid } }")).pipe(
        Effect.provide([
          dying,
          Layer.succeed(Watcher, stub(Watcher)),
          Layer.succeed(Pairing, stub(Pairing)),
          Layer.succeed(Rollups, {} as never),
          Layer.succeed(Maintenances, {} as never)
        ]),
        Effect.scoped,
        Effect.provide(capture)
      )
      const logged = lines.filter((line) => line.includes("secret internals"))
      assert.lengthOf(logged, 1)
      assert.include(logged[0], "GraphQL error masked")
      assert.deepStrictEqual(
        result.errors?.map((e) => e.message),
        ["Unexpected error."]
      )
      assert.notInclude(JSON.stringify(result), "secret internals")
    })
  )
})

describe("statusEvents on the TestClock", () => {
  it.effect("runs one round on subscribe, then one per interval, none in between", () =>
    withYoga((yoga) =>
      Effect.scoped(
        Effect.gen(function* () {
          const stream = yield* sse(
            "http://localhost/graphql",
            "subscription { statusEvents(everySeconds: 10) { ... on StatusRoundCompleted { round checked } } }",
            {},
            {},
            (url, init) => Promise.resolve(yoga.fetch(url, init))
          )
          const rounds = () => stream.events.filter((event) => event.event === "next")
          // let the event loop drain (real web streams): turns of the loop, not time
          const settle = Effect.repeatN(
            Effect.promise(() => new Promise((resolve) => setImmediate(resolve))),
            20
          )
          yield* stream.next
          // the TestClock's steps and the rounds seen after each: the interval has up to 10% jitter on top, so
          // round 2 runs somewhere in [10 s, 11 s], and round 3 10 to 11 s after round 2, so not before 20 s
          for (const [step, seen] of [
            ["0 millis", 1],
            ["9999 millis", 1],
            ["1002 millis", 2],
            ["8998 millis", 2],
            ["2002 millis", 3]
          ] as const) {
            yield* TestClock.adjust(step)
            yield* settle
            assert.strictEqual(rounds().length, seen, `rounds seen after a further ${step}`)
          }
          assert.deepStrictEqual(
            rounds().map((e) => JSON.parse(e.data).data.statusEvents.round),
            [1, 2, 3]
          )
          yield* stream.leave
        })
      )
    )
  )
})
