import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSite } from "../utils/App.js"
import {
  expectReply,
  ISO_SECONDS,
  missing,
  NOT_FOUND,
  post,
  S,
  seed,
  storedRow,
  storedRows,
  UNKNOWN_HASH
} from "./SyncApi.js"

// Spec B §6 cases 33-39: get-connection-status, the receiver asking this site as the sender (B §3.5).

describe("get-connection-status", () => {
  it.scopedLive("case 33: {} → 400 listing receiver_url, auth_token_hash", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      expectReply(yield* post(site, "get-connection-status", {}), 400, missing("receiver_url", "auth_token_hash"))
    })
  )

  it.scopedLive("case 34: an unknown hash → 404 Connection not found", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const rows = yield* storedRows(site)
      expectReply(
        yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: UNKNOWN_HASH }),
        404,
        NOT_FOUND
      )
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("case 35: an active sender → 200 with its status and name, whatever the receiver_url", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "active", name: "Partner shop" })
      const rows = yield* storedRows(site)
      for (const receiverUrl of [S, "https://somebody-else.example.org", "not even a URL"]) {
        expectReply(
          yield* post(site, "get-connection-status", { receiver_url: receiverUrl, auth_token_hash: row.hash }),
          200,
          { success: true, status: "active", name: "Partner shop" }
        )
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive(
    "case 36: a pending sender → 200 active; the row is activated with approved_at and the metadata keys",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite()
        const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending", name: "Partner shop" })
        const other = yield* seed(site, {
          direction: "sender",
          siteUrl: "https://other.example.com",
          status: "pending"
        })
        const otherBefore = yield* storedRow(site, other.uuid)
        const before = Math.floor(Date.now() / 1000) * 1000
        expectReply(yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: row.hash }), 200, {
          success: true,
          status: "active",
          name: "Partner shop"
        })
        const activated = (yield* storedRow(site, row.uuid))!
        expect(activated).toMatchObject({
          status: "active",
          approved_at: expect.stringMatching(ISO_SECONDS),
          metadata: {
            auto_activated: true,
            auto_activated_at: activated.approved_at,
            auto_activated_reason: "receiver queried connection status"
          }
        })
        expect(Date.parse(activated.approved_at!)).toBeGreaterThanOrEqual(before)
        expect(Date.parse(activated.approved_at!)).toBeLessThanOrEqual(Date.now())
        expect(yield* storedRow(site, other.uuid)).toEqual(otherBefore)
        // a second query finds it active and writes nothing
        expectReply(yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: row.hash }), 200, {
          success: true,
          status: "active",
          name: "Partner shop"
        })
        expect(yield* storedRow(site, row.uuid)).toEqual(activated)
      })
  )

  it.scopedLive.each(["suspended", "revoked", "expired"] as const)(
    "case 37: a %s sender → 200 with that status, nothing changes",
    (status) =>
      Effect.gen(function* () {
        const site = yield* startSite()
        const row = yield* seed(site, { direction: "sender", siteUrl: S, status, name: "Partner shop" })
        const rows = yield* storedRows(site)
        expectReply(yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: row.hash }), 200, {
          success: true,
          status,
          name: "Partner shop"
        })
        expect(yield* storedRows(site)).toEqual(rows)
      })
  )

  it.scopedLive("case 38: only a receiver row holds the hash → 404, and the receiver is not activated", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "receiver", siteUrl: S, status: "pending" })
      const rows = yield* storedRows(site)
      expectReply(
        yield* post(site, "get-connection-status", { receiver_url: S, auth_token_hash: row.hash }),
        404,
        NOT_FOUND
      )
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive('case 39: receiver_url "" → 400 with fields ["receiver_url"]', () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const rows = yield* storedRows(site)
      expectReply(
        yield* post(site, "get-connection-status", { receiver_url: "", auth_token_hash: row.hash }),
        400,
        missing("receiver_url")
      )
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )
})
