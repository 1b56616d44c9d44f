import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, TestClock } from "effect"
import { PeerClient } from "../../src/Peer/Client.js"
import { MAX_BODY_BYTES } from "../../src/Peer/Wire.js"
import { createReceiver, graphql, startSite } from "../utils/App.js"
import { peekAt, tempDir } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { statusOf, verificationOf } from "../utils/Peer.js"
import { connection, layer } from "./fixtures.js"

const TWENTY_MB = 20 * 1024 * 1024

const verifyAt = (site: FakeSite.FakeSite) =>
  Effect.flatMap(PeerClient, (peer) => verificationOf(peer, connection({ direction: "sender", siteUrl: site.url })))

describe("the deadline (A5)", () => {
  it.scoped("a remote that never answers is Offline timeout exactly at PEER_TIMEOUT_MS", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.hang)
      const fiber = yield* Effect.fork(verifyAt(site))
      yield* Deferred.await(site.received)
      yield* TestClock.adjust("29999 millis")
      expect(yield* Fiber.poll(fiber)).toEqual(Option.none())
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "Offline", reason: "timeout" })
      // the request was abandoned, not left open
      expect(yield* Deferred.await(site.closed)).toMatchObject({ completed: false })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("the deadline covers reading the body, and follows PEER_TIMEOUT_MS", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.stall)
      const peer = yield* PeerClient
      const fiber = yield* Effect.fork(statusOf(peer, connection({ siteUrl: site.url })))
      yield* Deferred.await(site.received)
      yield* TestClock.adjust("4999 millis")
      expect(yield* Fiber.poll(fiber)).toEqual(Option.none())
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "Offline", reason: "timeout" })
    }).pipe(Effect.provide(layer({ PEER_TIMEOUT_MS: 5000 })))
  )

  it.scoped.each([0, -1, 1.5, "soon"])("PEER_TIMEOUT_MS=%j fails at startup", (value) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.provide(PeerClient, layer({ PEER_TIMEOUT_MS: value })))
      expect(String(error)).toContain("PEER_TIMEOUT_MS")
    })
  )
})

describe("interruption", () => {
  it.live("interrupting the caller closes the request socket", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.hang)
      const fiber = yield* Effect.fork(verifyAt(site))
      yield* Deferred.await(site.received)
      yield* Fiber.interrupt(fiber)
      // the timeout only turns a hang into a failure; the probe is the synchronisation
      const outcome = yield* Deferred.await(site.closed).pipe(
        Effect.timeoutFail({
          duration: "5 seconds",
          onTimeout: () => new Error("the remote never saw the socket close")
        })
      )
      expect(outcome.completed).toBe(false)
    }).pipe(Effect.provide(layer()), Effect.scoped)
  )
})

describe("misbehaving remotes are classified", () => {
  it.scoped.each([
    ["a TCP reset", FakeSite.reset, { _tag: "RemoteError", reason: "reset" }],
    ["a close without an answer", FakeSite.close, { _tag: "RemoteError", reason: "reset" }],
    ["bytes that are not HTTP", FakeSite.garbage, { _tag: "RemoteError", reason: "transport" }],
    [
      "a 200 that is not JSON",
      FakeSite.text(200, "\u0000\u00ff garbage {"),
      { _tag: "RemoteError", reason: "bad_body" }
    ]
  ] as const)("%s", ([, answer, expected]) =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(answer)
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: site.url })))
      expect(error).toMatchObject(expected)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped.each([true, false])("a 20 MB body is too_large, read no further (content-length: %s)", (declareLength) =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.huge(TWENTY_MB, { declareLength }))
      const error = yield* Effect.flip(verifyAt(site))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "too_large" })
      const outcome = yield* Deferred.await(site.closed)
      expect(outcome.completed).toBe(false)
      expect(outcome.bytesWritten).toBeLessThan(TWENTY_MB)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a body of exactly the cap is read", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.huge(MAX_BODY_BYTES, { declareLength: false }))
      yield* verifyAt(site)
      expect(yield* Deferred.await(site.closed)).toEqual({ completed: true, bytesWritten: MAX_BODY_BYTES })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("one byte over the cap is too_large", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.huge(MAX_BODY_BYTES + 1, { declareLength: false }))
      expect(yield* Effect.flip(verifyAt(site))).toMatchObject({ _tag: "RemoteError", reason: "too_large" })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("47: a self-signed certificate is a TLS error", () =>
    Effect.gen(function* () {
      const tls = yield* FakeSite.selfSignedCert
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }), { tls })
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: site.url })))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "tls" })
      expect(yield* site.requests).toEqual([])
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("https to a plain HTTP port is a TLS error", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: site.url.replace("http:", "https:") })))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "tls" })
    }).pipe(Effect.provide(layer()))
  )
})

// issue 18: 100 remotes answering a 1 MB status held 1 MiB each, in memory and in the store
describe("a remote's strings are capped at the wire", () => {
  const ONE_MB_STATUS = FakeSite.json(200, { success: true, status: "s".repeat(1_000_000), name: "n" })

  it.scoped("a 1 MB status is an error `malformed`, and the error keeps nothing of it", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(ONE_MB_STATUS)
      const peer = yield* PeerClient
      const error = yield* Effect.flip(statusOf(peer, connection({ siteUrl: site.url })))
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "malformed" })
      expect(error._tag === "RemoteError" && error.remoteStatus).toBe(undefined)
      expect(JSON.stringify(error).length + error.message.length).toBeLessThan(300)
    }).pipe(Effect.provide(layer()))
  )

  it.live("a site checking it reports ERROR malformed, and stores nothing big", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(ONE_MB_STATUS)
      const databaseUrl = join(yield* tempDir, "syncwatch.db")
      yield* Effect.gen(function* () {
        const site = yield* startSite({ DATABASE_URL: databaseUrl })
        yield* createReceiver(site, remote.url)
        const round = yield* graphql(site.graphqlUrl, "{ senderStatuses { status remoteStatus reason detail } }")
        expect(round).toEqual({
          data: {
            senderStatuses: [
              {
                status: "ERROR",
                remoteStatus: null,
                reason: "malformed",
                detail: "the answer's status is over 32 characters"
              }
            ]
          }
        })
        // the server stops: what it holds is written
      }).pipe(Effect.scoped)
      const stored = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ readonly outcome: string; readonly reason: string; readonly longest: number }>`
          SELECT outcome, reason,
            max(length(coalesce(remote_status, '')), length(coalesce(reason, '')), length(coalesce(detail, ''))) AS longest
          FROM check_results`
      }).pipe(Effect.provide(peekAt(databaseUrl)), Effect.orDie)
      expect(stored).toEqual([{ outcome: "error", reason: "malformed", longest: 41 }])
    }).pipe(Effect.scoped)
  )
})
