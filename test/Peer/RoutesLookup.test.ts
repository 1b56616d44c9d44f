import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSite } from "../utils/App.js"
import {
  expectReply,
  ISO_SECONDS,
  missing,
  NOT_FOUND,
  post,
  postBody,
  S,
  seed,
  storedRow,
  storedRows,
  UNKNOWN_HASH
} from "./SyncApi.js"

// Spec B §6 cases 25-32, 40, 41: the endpoints that look a connection up by site_url and hash.

describe("verify-connection", () => {
  it.scopedLive("case 25: {} → 400 listing sender_url, auth_token_hash", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      expectReply(yield* post(site, "verify-connection", {}), 400, missing("sender_url", "auth_token_hash"))
    })
  )

  it.scopedLive("case 26: an unknown hash → 404 with exists false and no error key", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "sender", siteUrl: S })
      for (const senderUrl of [S, "https://anyone.example.com"]) {
        expectReply(
          yield* post(site, "verify-connection", { sender_url: senderUrl, auth_token_hash: UNKNOWN_HASH }),
          404,
          {
            success: false,
            exists: false
          }
        )
      }
      // the hash alone is not enough: it must come with the row's site_url
      expectReply(
        yield* post(site, "verify-connection", { sender_url: "https://anyone.example.com", auth_token_hash: row.hash }),
        404,
        { success: false, exists: false }
      )
    })
  )

  it.scopedLive("case 27: site_url S and hash H → 200 exists, whatever the direction and status, nothing written", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const sender = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const receiver = yield* seed(site, {
        direction: "receiver",
        siteUrl: "https://other.example.com",
        status: "revoked"
      })
      const rows = yield* storedRows(site)
      for (const row of [sender, receiver]) {
        expectReply(
          yield* post(site, "verify-connection", { sender_url: row.siteUrl, auth_token_hash: row.hash }),
          200,
          {
            success: true,
            exists: true
          }
        )
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("case 28: S with a trailing / or an upper-case H → 404 (exact comparisons)", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "receiver", siteUrl: S })
      const requests = [
        { sender_url: `${S}/`, auth_token_hash: row.hash },
        { sender_url: S, auth_token_hash: row.hash.toUpperCase() },
        { sender_url: S.toUpperCase(), auth_token_hash: row.hash }
      ]
      for (const body of requests) {
        expectReply(yield* post(site, "verify-connection", body), 404, { success: false, exists: false })
      }
    })
  )
})

describe("update-status", () => {
  it.scopedLive("case 29: {} → 400 listing sender_url, auth_token_hash, status", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      expectReply(yield* post(site, "update-status", {}), 400, missing("sender_url", "auth_token_hash", "status"))
    })
  )

  it.scopedLive(
    "case 30: a status other than active, suspended, revoked → 400 Invalid status value, row untouched",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite()
        const row = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
        const rows = yield* storedRows(site)
        for (const status of ["potato", "pending", "expired", "Active", " active"]) {
          expectReply(yield* post(site, "update-status", { sender_url: S, auth_token_hash: row.hash, status }), 400, {
            success: false,
            error: "Invalid status value"
          })
        }
        // checked before the lookup
        expectReply(
          yield* post(site, "update-status", { sender_url: S, auth_token_hash: UNKNOWN_HASH, status: "potato" }),
          400,
          { success: false, error: "Invalid status value" }
        )
        expect(yield* storedRows(site)).toEqual(rows)
      })
  )

  it.scopedLive("case 31: an unknown row → 404 Connection not found", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
      const rows = yield* storedRows(site)
      for (const body of [
        { sender_url: S, auth_token_hash: UNKNOWN_HASH, status: "suspended" },
        { sender_url: `${S}/`, auth_token_hash: row.hash, status: "suspended" }
      ]) {
        expectReply(yield* post(site, "update-status", body), 404, NOT_FOUND)
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("case 32: active → suspended: 200, only the status changes, suspended_at stays null", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
      const before = (yield* storedRow(site, row.uuid))!
      expectReply(
        yield* post(site, "update-status", { sender_url: S, auth_token_hash: row.hash, status: "suspended" }),
        200,
        { success: true, message: "Status updated to suspended" }
      )
      expect(yield* storedRow(site, row.uuid)).toEqual({
        ...before,
        status: "suspended",
        suspended_at: null,
        suspended_reason: null,
        // ours, not the reference's: who made the change
        status_changed_by: "remote",
        updated_at: expect.stringMatching(ISO_SECONDS)
      })
      // the same value again is still a 200; revoked writes no revoked_at either (T8)
      expectReply(
        yield* post(site, "update-status", { sender_url: S, auth_token_hash: row.hash, status: "suspended" }),
        200,
        { success: true, message: "Status updated to suspended" }
      )
      expectReply(
        yield* post(site, "update-status", { sender_url: S, auth_token_hash: row.hash, status: "revoked" }),
        200,
        { success: true, message: "Status updated to revoked" }
      )
      expect(yield* storedRow(site, row.uuid)).toMatchObject({
        status: "revoked",
        revoked_at: null,
        suspended_at: null
      })
    })
  )

  it.scopedLive("case 32: no direction filter: a sender row is updated the same way", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "suspended" })
      expectReply(
        yield* post(site, "update-status", { sender_url: S, auth_token_hash: row.hash, status: "active" }),
        200,
        { success: true, message: "Status updated to active" }
      )
      expect(yield* storedRow(site, row.uuid)).toMatchObject({ status: "active", approved_at: null })
    })
  )
})

describe("delete-connection", () => {
  it.scopedLive("case 40: {} → 400; unknown → 404; S and H → 200 Connection deleted and the row is gone", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "active" })
      const kept = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
      const rows = yield* storedRows(site)
      expectReply(yield* post(site, "delete-connection", {}), 400, missing("sender_url", "auth_token_hash"))
      for (const body of [
        { sender_url: S, auth_token_hash: UNKNOWN_HASH },
        { sender_url: `${S}/`, auth_token_hash: row.hash },
        { sender_url: S, auth_token_hash: row.hash.toUpperCase() }
      ]) {
        expectReply(yield* post(site, "delete-connection", body), 404, NOT_FOUND)
      }
      expect(yield* storedRows(site)).toEqual(rows)
      expectReply(yield* post(site, "delete-connection", { sender_url: S, auth_token_hash: row.hash }), 200, {
        success: true,
        message: "Connection deleted"
      })
      expect(yield* storedRows(site)).toEqual(rows.filter((stored) => stored.uuid !== row.uuid))
      expect(yield* storedRow(site, kept.uuid)).toBeDefined()
      expectReply(yield* post(site, "delete-connection", { sender_url: S, auth_token_hash: row.hash }), 404, NOT_FOUND)
    })
  )
})

describe("module disabled", () => {
  const endpoints = ["verify-connection", "update-status", "delete-connection", "get-connection-status"]

  it.scopedLive("case 41: every lookup endpoint → 503 DB Sync module is disabled, even with an empty body", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_ENABLED: "false" })
      const row = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const rows = yield* storedRows(site)
      const valid = { sender_url: S, receiver_url: S, auth_token_hash: row.hash, status: "revoked" }
      for (const endpoint of endpoints) {
        for (const reply of [
          yield* post(site, endpoint, {}),
          yield* postBody(site, endpoint, ""),
          yield* postBody(site, endpoint, "{not json"),
          yield* post(site, endpoint, valid)
        ]) {
          expectReply(reply, 503, { success: false, error: "DB Sync module is disabled" })
        }
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )
})
