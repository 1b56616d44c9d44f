import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger, LogLevel, Redacted } from "effect"
import * as Token from "../../src/Domain/Token.js"
import { PeerClient } from "../../src/Peer/Client.js"
import { MAX_TEXT_CHARS } from "../../src/Peer/Wire.js"
import * as FakeSite from "../utils/FakeSite.js"
import { statusOf, verificationOf } from "../utils/Peer.js"
import { connection, HASH, layer, OUR_URL, TOKEN } from "./fixtures.js"

const senderStatus = (answer: FakeSite.Answer) =>
  Effect.gen(function* () {
    const site = yield* FakeSite.make(answer)
    const peer = yield* PeerClient
    return yield* statusOf(peer, connection({ siteUrl: site.url }))
  }).pipe(Effect.provide(layer()))

const verify = (answer: FakeSite.Answer) =>
  Effect.gen(function* () {
    const site = yield* FakeSite.make(answer)
    const peer = yield* PeerClient
    return yield* verificationOf(peer, connection({ direction: "sender", siteUrl: site.url }))
  }).pipe(Effect.provide(layer()))

describe("PeerClient on the wire (A1)", () => {
  it.scoped("POSTs exactly the protocol's request under the configured prefix", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "Shop" }))
      const peer = yield* PeerClient
      yield* statusOf(peer, connection({ siteUrl: `${site.url}//` }))
      const [request, ...more] = yield* site.requests
      expect(more).toEqual([])
      expect(request).toMatchObject({
        method: "POST",
        path: "/custom/sync/api/get-connection-status",
        body: { receiver_url: OUR_URL, auth_token_hash: HASH }
      })
      expect(Object.keys(request?.body as object).sort()).toEqual(["auth_token_hash", "receiver_url"])
      expect(request?.headers).toMatchObject({
        "content-type": "application/json",
        accept: "application/json",
        "user-agent": "syncwatch/0.1.0"
      })
      expect(Object.keys(request?.headers ?? {})).not.toContain("authorization")
      expect(Object.keys(request?.headers ?? {})).not.toContain("traceparent")
      expect(Object.keys(request?.headers ?? {})).not.toContain("b3")
    }).pipe(Effect.provide(layer({ SYNC_URL_PREFIX: "custom/" })))
  )

  it.scoped("uses /phoenix_kit by default and sends sender_url to verify-connection", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
      const peer = yield* PeerClient
      yield* verificationOf(peer, connection({ direction: "sender", siteUrl: site.url }))
      const [request] = yield* site.requests
      expect(request).toMatchObject({
        method: "POST",
        path: "/phoenix_kit/sync/api/verify-connection",
        body: { sender_url: OUR_URL, auth_token_hash: HASH }
      })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped.each([301, 302])("does not follow a %d", (status) =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make((request) =>
        request.path === "/elsewhere"
          ? FakeSite.json(200, { success: true, status: "active" })
          : FakeSite.redirect(status, "/elsewhere")
      )
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: site.url })))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: `http_${status}` })
      expect((yield* site.requests).map((request) => request.path)).toEqual([
        "/phoenix_kit/sync/api/get-connection-status"
      ])
    }).pipe(Effect.provide(layer()))
  )
})

describe("getConnectionStatus (B §4.1 with A2)", () => {
  it.scoped("43: a known status comes back with the sender's name", () =>
    Effect.gen(function* () {
      expect(yield* senderStatus(FakeSite.json(200, { success: true, status: "suspended", name: "n" }))).toEqual({
        status: "suspended",
        name: "n"
      })
      expect(yield* senderStatus(FakeSite.json(200, { success: true, status: "expired" }))).toEqual({
        status: "expired",
        name: null
      })
    })
  )

  it.scoped("an answer read in many chunks, characters split between them, is read whole", () =>
    Effect.gen(function* () {
      // a name of two-byte characters at odd offsets across the 64 KiB mark where a socket read usually ends,
      // behind a field we do not keep: the name is as long as a remote may make us keep (MAX_TEXT_CHARS)
      const name = "ü".repeat(MAX_TEXT_CHARS)
      const head = `{"success":true,"status":"active","padding":"`
      const padding = "a".repeat(65_536 - 1001 - head.length - `","name":"`.length)
      const body = `${head}${padding}","name":"${name}"}`
      expect(body.indexOf(name) % 2).toBe(1)
      expect(yield* senderStatus(FakeSite.text(200, body, { "content-type": "application/json" }))).toEqual({
        status: "active",
        name
      })
    })
  )

  it.scoped.each(["active", "suspended", "revoked", "pending", "expired"])("43: %s is a status", (status) =>
    Effect.map(senderStatus(FakeSite.json(200, { success: true, status, name: 7 })), (result) =>
      expect(result).toEqual({ status, name: null })
    )
  )

  it.scoped("44: 200 with success false is NotFound", () =>
    Effect.map(Effect.flip(senderStatus(FakeSite.json(200, { success: false, error: "gone" }))), (error) =>
      expect(error).toMatchObject({ _tag: "NotFound", reason: "not_found" })
    )
  )

  it.scoped.each([
    ["not json", FakeSite.text(200, "not json")],
    ["no status key", FakeSite.json(200, { success: true })],
    ["success as a string", FakeSite.json(200, { success: "true", status: "active" })],
    ["an array", FakeSite.json(200, [])],
    ["an empty body", FakeSite.text(200, "")],
    ["49: status null", FakeSite.json(200, { success: true, status: null })],
    ["49: status a number", FakeSite.json(200, { success: true, status: 3 })]
  ] as const)("45: 200 with %s is bad_body", ([, answer]) =>
    Effect.map(Effect.flip(senderStatus(answer)), (error) =>
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "bad_body" })
    )
  )

  it.scoped("A2: an unknown status string is kept and named", () =>
    Effect.map(Effect.flip(senderStatus(FakeSite.json(200, { success: true, status: "potato" }))), (error) => {
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "unknown_status", remoteStatus: "potato" })
      expect(error.message).toContain("potato")
    })
  )

  it.scoped("46/A2: a protocol 404 is NotFound", () =>
    Effect.map(
      Effect.flip(senderStatus(FakeSite.json(404, { success: false, error: "Connection not found" }))),
      (error) => expect(error).toMatchObject({ _tag: "NotFound" })
    )
  )

  it.scoped.each([
    ["an HTML page", FakeSite.text(404, "<h1>Not Found</h1>")],
    ["JSON without success false", FakeSite.json(404, { errors: { detail: "Not Found" } })],
    ["an empty body", FakeSite.text(404, "")]
  ] as const)("46/A2: a 404 with %s is no_route", ([, answer]) =>
    Effect.map(Effect.flip(senderStatus(answer)), (error) => {
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "no_route" })
      expect(error.message).toContain("sync endpoint not found")
    })
  )

  it.scoped.each([500, 503, 400, 401, 403, 409, 301])("46: status %d is http_<status>", (status) =>
    Effect.map(Effect.flip(senderStatus(FakeSite.json(status, { success: false, error: "nope" }))), (error) =>
      expect(error).toMatchObject({ _tag: "RemoteError", reason: `http_${status}` })
    )
  )

  it.scoped("42: http://unreachable.invalid is Offline dns", () =>
    Effect.gen(function* () {
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: "http://unreachable.invalid" })))
      expect(error).toMatchObject({ _tag: "Offline", reason: "dns" })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("47: connection refused is Offline refused", () =>
    Effect.gen(function* () {
      const port = yield* FakeSite.closedPort
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: `http://127.0.0.1:${port}` })))
      expect(error).toMatchObject({ _tag: "Offline", reason: "refused" })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a connection's POST kept from an earlier check follows its new site URL and hash", () =>
    Effect.gen(function* () {
      const answer = FakeSite.json(200, { success: true, status: "active" })
      const [first, second] = [yield* FakeSite.make(answer), yield* FakeSite.make(answer)]
      const peer = yield* PeerClient
      const otherToken = Redacted.make("another-token")
      const otherHash = Redacted.value(Token.hash(otherToken))
      yield* statusOf(peer, connection({ siteUrl: first.url }))
      yield* statusOf(peer, connection({ siteUrl: second.url }))
      yield* statusOf(peer, connection({ siteUrl: second.url, authTokenHash: Token.hash(otherToken) }))
      // the same uuid on the other endpoint is another POST
      yield* verificationOf(peer, connection({ direction: "sender", siteUrl: second.url }))
      for (const missing of [connection({ siteUrl: second.url, authTokenHash: null }), connection({ siteUrl: "" })]) {
        const error = yield* Effect.flip(statusOf(peer, missing))
        expect(error).toMatchObject({ _tag: "RemoteError", reason: "missing_connection_info" })
      }
      const seen = (requests: ReadonlyArray<FakeSite.RecordedRequest>) => requests.map(({ path, body }) => [path, body])
      expect(seen(yield* first.requests)).toEqual([
        ["/phoenix_kit/sync/api/get-connection-status", { receiver_url: OUR_URL, auth_token_hash: HASH }]
      ])
      expect(seen(yield* second.requests)).toEqual([
        ["/phoenix_kit/sync/api/get-connection-status", { receiver_url: OUR_URL, auth_token_hash: HASH }],
        ["/phoenix_kit/sync/api/get-connection-status", { receiver_url: OUR_URL, auth_token_hash: otherHash }],
        ["/phoenix_kit/sync/api/verify-connection", { sender_url: OUR_URL, auth_token_hash: HASH }]
      ])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("48: a connection without hash or site URL makes no request", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
      const peer = yield* PeerClient
      for (const missing of [connection({ siteUrl: site.url, authTokenHash: null }), connection({ siteUrl: "" })]) {
        const error = yield* Effect.flip(statusOf(peer, missing))
        expect(error).toMatchObject({ _tag: "RemoteError", reason: "missing_connection_info" })
      }
      expect(yield* site.requests).toEqual([])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped.each(["not a url", "ftp://files.example.com", "http://[::1"])(
    "an unusable site URL %j is invalid_url",
    (siteUrl) =>
      Effect.gen(function* () {
        const peer = yield* PeerClient
        const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl })))
        expect(error).toMatchObject({ _tag: "RemoteError", reason: "invalid_url" })
      }).pipe(Effect.provide(layer()))
  )
})

describe("verifyConnection (B §4.2 with A3)", () => {
  it.scoped.each([
    ["a protocol answer", FakeSite.json(200, { success: true, exists: true })],
    ["any body", FakeSite.text(200, "<html>whatever</html>")]
  ] as const)("52: 200 with %s means the connection exists", ([, answer]) =>
    Effect.map(verify(answer), (result) => expect(result).toBeUndefined())
  )

  it.scoped("52: a protocol 404 is NotFound", () =>
    Effect.map(Effect.flip(verify(FakeSite.json(404, { success: false, exists: false }))), (error) =>
      expect(error).toMatchObject({ _tag: "NotFound" })
    )
  )

  it.scoped("A3: a 404 that is not the protocol's is no_route, not NotFound", () =>
    Effect.map(Effect.flip(verify(FakeSite.text(404, "<h1>no route</h1>"))), (error) =>
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "no_route" })
    )
  )

  it.scoped.each([503, 500, 400, 302])("52/A3: status %d is http_<status>, not exists", (status) =>
    Effect.map(Effect.flip(verify(FakeSite.text(status, ""))), (error) =>
      expect(error).toMatchObject({ _tag: "RemoteError", reason: `http_${status}` })
    )
  )

  it.scoped("51: http://unreachable.invalid is Offline dns", () =>
    Effect.gen(function* () {
      const peer = yield* PeerClient
      const error = yield* Effect.flip(
        verificationOf(peer, connection({ direction: "sender", siteUrl: "http://unreachable.invalid" }))
      )
      expect(error).toMatchObject({ _tag: "Offline", reason: "dns" })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("52: refused is Offline, reset is RemoteError", () =>
    Effect.gen(function* () {
      const port = yield* FakeSite.closedPort
      const peer = yield* PeerClient
      const refused = yield* Effect.flip(
        verificationOf(peer, connection({ direction: "sender", siteUrl: `http://127.0.0.1:${port}` }))
      )
      expect(refused).toMatchObject({ _tag: "Offline", reason: "refused" })
      expect(yield* Effect.flip(verify(FakeSite.reset))).toMatchObject({ _tag: "RemoteError", reason: "reset" })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("52: a missing hash is missing_connection_info, with no request", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
      const peer = yield* PeerClient
      const error = yield* Effect.flip(
        verificationOf(peer, connection({ direction: "sender", siteUrl: site.url, authTokenHash: null }))
      )
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "missing_connection_info" })
      expect(yield* site.requests).toEqual([])
    }).pipe(Effect.provide(layer()))
  )
})

describe("secrets (A5)", () => {
  it.scoped("no error and no log line carries the token or its hash", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.make((options) => {
        lines.push(Logger.stringLogger.log(options))
      })
      // every answer echoes what it was sent, as a careless remote might
      const site = yield* FakeSite.make((request) => {
        if (request.path.endsWith("/verify-connection")) return FakeSite.reset
        if (request.path.endsWith("/update-status")) return FakeSite.huge(2 * 1024 * 1024, { declareLength: false })
        return FakeSite.json(request.path.endsWith("/get-connection-status") ? 200 : 500, { echo: request.body })
      })
      const peer = yield* PeerClient
      const pair = connection({ direction: "sender", siteUrl: site.url })
      const errors = yield* Effect.all(
        [
          Effect.flip(statusOf(peer, pair)),
          Effect.flip(verificationOf(peer, pair)),
          Effect.flip(peer.notifyStatusChange(pair, "active")),
          Effect.flip(peer.notifyDelete(pair)),
          Effect.flip(statusOf(peer, connection({ siteUrl: "http://unreachable.invalid" })))
        ],
        { concurrency: 1 }
      ).pipe(Effect.provide(Logger.add(capture)), Logger.withMinimumLogLevel(LogLevel.All))
      const notice = yield* peer
        .register(pair, TOKEN)
        .pipe(Effect.provide(Logger.add(capture)), Logger.withMinimumLogLevel(LogLevel.All))
      expect(errors.map((error) => error.reason)).toEqual(["bad_body", "reset", "too_large", "http_500", "dns"])
      expect((yield* site.requests).map((request) => request.rawBody).join()).toContain(HASH)
      // the checks' own log lines (StatusChecks) are searched in test/StatusChecks.test.ts
      for (const text of [...errors.flatMap((e) => [JSON.stringify(e), String(e)]), JSON.stringify(notice), ...lines]) {
        expect(text).not.toContain(HASH)
        expect(text).not.toContain(Redacted.value(TOKEN))
      }
    }).pipe(Effect.provide(layer()))
  )
})
