import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber, Redacted, TestClock } from "effect"
import { RemoteError } from "../../src/Domain/Errors.js"
import { PeerClient } from "../../src/Peer/Client.js"
import * as FakeSite from "../utils/FakeSite.js"
import { connection, HASH, layer, OUR_URL, TOKEN } from "./fixtures.js"

const NOW = Date.parse("2026-07-01T12:34:56.789Z")

const register = (answer: FakeSite.Answer) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const site = yield* FakeSite.make(answer)
    const peer = yield* PeerClient
    return yield* peer.register(connection({ direction: "sender", siteUrl: site.url }), TOKEN)
  }).pipe(Effect.provide(layer()))

const failed = (http_status: number | null, notification_message: string) => ({
  notified_at: "2026-07-01T12:34:56Z",
  notification_success: false,
  notification_status: "failed",
  notification_message,
  remote_connection_uuid: null,
  http_status
})
// an answer we could not read: the reference's one message for it
const invalid = (http_status: number) => failed(http_status, "Invalid response from remote site")

describe("register (B §3.6 client table)", () => {
  it.scoped("sends the raw token, our URL and the connection's name; a password only when given", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true }))
      const peer = yield* PeerClient
      const sender = connection({ direction: "sender", siteUrl: site.url })
      yield* peer.register(sender, TOKEN)
      yield* peer.register(sender, TOKEN, Redacted.make("right-pwd"))
      const [plain, withPassword] = yield* site.requests
      expect(plain).toMatchObject({ method: "POST", path: "/phoenix_kit/sync/api/register-connection" })
      expect(plain?.body).toEqual({ sender_url: OUR_URL, connection_name: "Shop", auth_token: "test-token-123" })
      expect(withPassword?.body).toEqual({
        sender_url: OUR_URL,
        connection_name: "Shop",
        auth_token: "test-token-123",
        password: "right-pwd"
      })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("54: a receiver connection is skipped with no request", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true }))
      const peer = yield* PeerClient
      expect(yield* peer.register(connection({ direction: "receiver", siteUrl: site.url }), TOKEN)).toBeNull()
      expect(yield* site.requests).toEqual([])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("56: a successful registration keeps the remote uuid", () =>
    Effect.gen(function* () {
      const answer = FakeSite.json(200, {
        success: true,
        message: "Connection registered and activated",
        connection_status: "active",
        connection_uuid: "0198f3a2-0000-7000-8000-000000000001"
      })
      expect(yield* register(answer)).toEqual({
        notified_at: "2026-07-01T12:34:56Z",
        notification_success: true,
        notification_status: "registered",
        notification_message: "Connection registered and activated",
        remote_connection_uuid: "0198f3a2-0000-7000-8000-000000000001",
        http_status: 200
      })
    })
  )

  it.scoped("a pending answer, the default message and an older site's connection_id", () =>
    Effect.map(register(FakeSite.json(200, { success: true, connection_status: "pending", connection_id: 42 })), (n) =>
      expect(n).toMatchObject({
        notification_success: true,
        notification_status: "pending",
        notification_message: "Connection registered",
        remote_connection_uuid: "42"
      })
    )
  )

  it.scoped.each([
    [
      "55: 503 with the remote's error",
      FakeSite.json(503, { success: false, error: "Sync module is disabled" }),
      failed(503, "Sync module is disabled")
    ],
    [
      "503 without a JSON body",
      FakeSite.text(503, "<h1>down</h1>"),
      failed(503, "DB Sync module disabled on remote site")
    ],
    ["200 with success false", FakeSite.json(200, { success: false }), failed(200, "Remote site rejected connection")],
    ["200 with success false and an error", FakeSite.json(200, { success: false, error: "no" }), failed(200, "no")],
    ["200 that is not JSON", FakeSite.text(200, "ok"), invalid(200)],
    ["200 with success as a string", FakeSite.json(200, { success: "true" }), invalid(200)],
    ["401", FakeSite.json(401, { success: false, error: "Invalid password" }), failed(401, "Invalid password")],
    ["401 without a body", FakeSite.text(401, ""), failed(401, "Password required or invalid")],
    ["403", FakeSite.json(403, { success: false }), failed(403, "Incoming connections denied")],
    [
      "409",
      FakeSite.json(409, { success: false, error: "A connection already exists" }),
      failed(409, "A connection already exists")
    ],
    ["409 without a body", FakeSite.json(409, []), failed(409, "Connection already exists")],
    ["500", FakeSite.json(500, { success: false, error: "Fetch failed" }), failed(500, "Fetch failed")],
    ["302", FakeSite.redirect(302, "/elsewhere"), failed(302, "HTTP error 302")],
    ["a reset", FakeSite.reset, failed(null, "Failed to contact remote site")],
    ["a 20 MB 200", FakeSite.huge(20 * 1024 * 1024, { declareLength: true }), invalid(200)],
    // what a remote may make us keep is capped at the wire (issue 18): nothing of a longer field is kept
    [
      "200 with success false and a 1,000-character error",
      FakeSite.json(200, { success: false, error: "e".repeat(1000) }),
      failed(200, "e".repeat(1000))
    ],
    ["409 with a 1,001-character error", FakeSite.json(409, { success: false, error: "e".repeat(1001) }), invalid(409)],
    [
      "200 with a 1,001-character message",
      FakeSite.json(200, { success: true, message: "m".repeat(1001) }),
      invalid(200)
    ],
    [
      "200 with a 1,001-character connection_uuid",
      FakeSite.json(200, { success: true, connection_uuid: "u".repeat(1001) }),
      invalid(200)
    ],
    [
      "200 with a 33-character connection_status",
      FakeSite.json(200, { success: true, connection_status: "p".repeat(33) }),
      invalid(200)
    ]
  ] as const)("%s", ([, answer, expected]) => Effect.map(register(answer), (n) => expect(n).toEqual(expected)))

  it.scoped("a remote that never answers fails the notice at the deadline", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const site = yield* FakeSite.make(FakeSite.hang)
      const peer = yield* PeerClient
      const fiber = yield* Effect.fork(peer.register(connection({ direction: "sender", siteUrl: site.url }), TOKEN))
      yield* Deferred.await(site.received)
      yield* TestClock.adjust("30 seconds")
      expect(yield* Fiber.join(fiber)).toEqual({
        ...failed(null, "Failed to contact remote site"),
        notified_at: "2026-07-01T12:35:26Z"
      })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("an unreachable site fails the notice", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const peer = yield* PeerClient
      const n = yield* peer.register(connection({ direction: "sender", siteUrl: "http://unreachable.invalid" }), TOKEN)
      expect(n).toEqual(failed(null, "Failed to contact remote site"))
    }).pipe(Effect.provide(layer()))
  )
})

describe("notifyStatusChange and notifyDelete (B §4.4)", () => {
  const notify = (
    answer: FakeSite.Answer,
    call: (peer: PeerClient, siteUrl: string) => Effect.Effect<string, unknown>
  ) =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(answer)
      const result = yield* Effect.flatMap(PeerClient, (peer) => call(peer, site.url)).pipe(Effect.either)
      return { result, requests: yield* site.requests }
    }).pipe(Effect.provide(layer()))
  const remove = (peer: PeerClient, siteUrl: string) => peer.notifyDelete(connection({ siteUrl }))
  const suspend = (peer: PeerClient, siteUrl: string) => peer.notifyStatusChange(connection({ siteUrl }), "suspended")

  it.scoped("update-status carries the new status", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* notify(FakeSite.json(200, { success: true }), suspend)
      expect(result).toEqual(Either.right("updated"))
      expect(requests[0]).toMatchObject({
        path: "/phoenix_kit/sync/api/update-status",
        body: { sender_url: OUR_URL, auth_token_hash: HASH, status: "suspended" }
      })
    })
  )

  it.scoped("57: delete-connection on a registered pair is deleted", () =>
    Effect.gen(function* () {
      const { result, requests } = yield* notify(FakeSite.json(200, { success: true }), remove)
      expect(result).toEqual(Either.right("deleted"))
      expect(requests[0]).toMatchObject({
        path: "/phoenix_kit/sync/api/delete-connection",
        body: { sender_url: OUR_URL, auth_token_hash: HASH }
      })
    })
  )

  it.scoped.each([
    [FakeSite.text(204, ""), "deleted", "updated"],
    [FakeSite.text(404, "<h1>any body</h1>"), "not_found", "not_found"]
  ] as const)("%# answers by status", ([answer, deleted, updated]) =>
    Effect.gen(function* () {
      expect((yield* notify(answer, remove)).result).toEqual(Either.right(deleted))
      expect((yield* notify(answer, suspend)).result).toEqual(Either.right(updated))
    })
  )

  it.scoped.each([400, 500, 503])("status %d is http_<status>", (status) =>
    Effect.gen(function* () {
      const { result } = yield* notify(FakeSite.json(status, { success: false }), remove)
      expect(Either.flip(result)).toEqual(Either.right(new RemoteError({ reason: `http_${status}` })))
    })
  )

  it.scoped("57: missing info is missing_connection_info with no request", () =>
    Effect.gen(function* () {
      const peer = yield* PeerClient
      const error = yield* Effect.flip(peer.notifyDelete(connection({ siteUrl: "" })))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "missing_connection_info" })
    }).pipe(Effect.provide(layer()))
  )
})

describe("checkRemoteStatus (B §4.3, offline mapped)", () => {
  const check = (answer: FakeSite.Answer) =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(answer)
      const peer = yield* PeerClient
      const result = yield* peer.checkRemoteStatus(`${site.url}/`).pipe(Effect.either)
      return { result, requests: yield* site.requests }
    }).pipe(Effect.provide(layer()))

  it.scoped("53: a reachable enabled site; a GET with only accept and user-agent", () =>
    Effect.gen(function* () {
      const body = { enabled: true, incoming_mode: "require_approval", password_required: false }
      const { result, requests } = yield* check(FakeSite.json(200, body))
      expect(result).toEqual(Either.right(body))
      expect(requests).toHaveLength(1)
      expect(requests[0]).toMatchObject({
        method: "GET",
        path: "/phoenix_kit/sync/api/status",
        rawBody: "",
        headers: { accept: "application/json", "user-agent": "syncwatch/0.1.0" }
      })
      expect(requests[0]?.headers).not.toHaveProperty("content-type")
    })
  )

  it.scoped.each([
    ["an HTML body", FakeSite.text(200, "<html></html>"), "bad_body"],
    ["the wrong shape", FakeSite.json(200, { success: true }), "bad_body"],
    ["503", FakeSite.json(503, { enabled: false }), "http_503"],
    [
      "a 33-character incoming_mode",
      FakeSite.json(200, { enabled: true, incoming_mode: "x".repeat(33), password_required: false }),
      "malformed"
    ]
  ] as const)("53: %s", ([, answer, reason]) =>
    Effect.map(check(answer), ({ result }) => {
      expect(Either.isLeft(result)).toBe(true)
      expect(Either.flip(result).pipe(Either.getOrThrow)).toMatchObject({ _tag: "RemoteError", reason })
    })
  )

  it.scoped("53: http://nope.local.invalid:1 is Offline dns", () =>
    Effect.gen(function* () {
      const peer = yield* PeerClient
      const error = yield* Effect.flip(peer.checkRemoteStatus("http://nope.local.invalid:1"))
      expect(error).toMatchObject({ _tag: "Offline", reason: "dns" })
    }).pipe(Effect.provide(layer()))
  )
})
