import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSite, tryStartSite } from "../utils/App.js"
import { smallDisk } from "../utils/FullDisk.js"
import { expectReply, getStatus, ISO_SECONDS, post, postBody, seed, storedRow, storedRows } from "./SyncApi.js"

// Spec B §6 cases 15-24 (GET status, register-connection) and the A-side approval fix (B §7.9).

const SENDER_URL = "https://shop.example.com"
const TOKEN = "test-token-123"
// spec case 1
const HASH = "19b6b086eebb807f54e6327309dec0ff347a6c3c30bf3bb396f167513eba3475"
const registration = { sender_url: SENDER_URL, connection_name: "Shop", auth_token: TOKEN }

describe("GET status", () => {
  it.scopedLive("case 15: enabled → 200 with enabled, incoming_mode, password_required and no success key", () =>
    Effect.gen(function* () {
      expectReply(yield* getStatus(yield* startSite()), 200, {
        enabled: true,
        incoming_mode: "require_approval",
        password_required: false
      })
      // password_required follows the mode
      expectReply(
        yield* getStatus(yield* startSite({ INCOMING_MODE: "require_password", INCOMING_PASSWORD: "p" })),
        200,
        {
          enabled: true,
          incoming_mode: "require_password",
          password_required: true
        }
      )
      for (const mode of ["auto_accept", "deny_all"]) {
        expectReply(yield* getStatus(yield* startSite({ INCOMING_MODE: mode })), 200, {
          enabled: true,
          incoming_mode: mode,
          password_required: false
        })
      }
    })
  )

  it.scopedLive("case 16: module disabled → still 200 with enabled false", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_ENABLED: "false", INCOMING_MODE: "auto_accept" })
      expectReply(yield* getStatus(site), 200, {
        enabled: false,
        incoming_mode: "auto_accept",
        password_required: false
      })
    })
  )
})

describe("register-connection", () => {
  it.scopedLive("case 17: {} → 400 listing the missing fields in the validator's order", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      expectReply(yield* post(site, "register-connection", {}), 400, {
        success: false,
        error: "Missing required fields",
        fields: ["sender_url", "connection_name", "auth_token"]
      })
      // null and "" are missing too; the order is fixed, not the request's
      expectReply(
        yield* post(site, "register-connection", { auth_token: "", connection_name: "Shop", sender_url: null }),
        400,
        { success: false, error: "Missing required fields", fields: ["sender_url", "auth_token"] }
      )
      expect(yield* storedRows(site)).toEqual([])
    })
  )

  it.scopedLive("case 18: module disabled with a valid body → 503 Sync module is disabled, nothing written", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_ENABLED: "false", INCOMING_MODE: "auto_accept" })
      expectReply(yield* post(site, "register-connection", registration), 503, {
        success: false,
        error: "Sync module is disabled"
      })
      expect(yield* storedRows(site)).toEqual([])
    })
  )

  it.scopedLive("case 19: auto_accept → 200 activated; an active receiver row with the registration metadata", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      const before = Math.floor(Date.now() / 1000) * 1000
      const reply = yield* post(site, "register-connection", registration)
      const after = Date.now()
      expectReply(reply, 200, {
        success: true,
        message: "Connection registered and activated",
        connection_status: "active",
        connection_uuid: expect.any(String)
      })
      const uuid = (reply.body as { connection_uuid: string }).connection_uuid
      const rows = yield* storedRows(site)
      expect(rows).toEqual([
        expect.objectContaining({
          uuid,
          name: "From: Shop",
          direction: "receiver",
          site_url: SENDER_URL,
          auth_token_hash: HASH,
          status: "active",
          approved_at: null,
          suspended_at: null,
          metadata: {
            registered_via: "api",
            registered_at: expect.stringMatching(ISO_SECONDS),
            remote_ip: "127.0.0.1",
            user_agent: "PhoenixKit-Sync/1.0"
          }
        })
      ])
      const registeredAt = Date.parse(rows[0]!.metadata["registered_at"] as string)
      expect(registeredAt).toBeGreaterThanOrEqual(before)
      expect(registeredAt).toBeLessThanOrEqual(after)
    })
  )

  it.scopedLive("case 19 (B §7.9 fixed): require_approval → 200 with connection_status pending and a pending row", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const reply = yield* post(site, "register-connection", registration)
      expectReply(reply, 200, {
        success: true,
        message: "Connection registered, pending approval",
        connection_status: "pending",
        connection_uuid: expect.any(String)
      })
      const row = yield* storedRow(site, (reply.body as { connection_uuid: string }).connection_uuid)
      expect(row).toMatchObject({
        name: "From: Shop",
        direction: "receiver",
        status: "pending",
        auth_token_hash: HASH,
        metadata: { registered_via: "api", remote_ip: "127.0.0.1" }
      })
    })
  )

  it.scopedLive("case 20: the same sender_url twice → 409, whatever the existing receiver's status", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      expect((yield* post(site, "register-connection", registration)).status).toBe(200)
      const rows = yield* storedRows(site)
      const again = { ...registration, connection_name: "Shop again", auth_token: "another-token" }
      expectReply(yield* post(site, "register-connection", again), 409, {
        success: false,
        error: "A connection already exists"
      })
      const revoked = yield* seed(site, {
        direction: "receiver",
        siteUrl: "https://gone.example.com",
        status: "revoked"
      })
      const withRevoked = yield* storedRows(site)
      expectReply(yield* post(site, "register-connection", { ...again, sender_url: revoked.siteUrl }), 409, {
        success: false,
        error: "A connection already exists"
      })
      expect(yield* storedRows(site)).toEqual(withRevoked)
      expect(withRevoked.filter((row) => row.uuid !== revoked.uuid)).toEqual(rows)
    })
  )

  it.scopedLive("a second sender_url with an auth_token already registered → 409 (its hash is unique), no row", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      expect((yield* post(site, "register-connection", registration)).status).toBe(200)
      const rows = yield* storedRows(site)
      const reused = { ...registration, sender_url: "https://other.example.com", connection_name: "Other" }
      expectReply(yield* post(site, "register-connection", reused), 409, {
        success: false,
        error: "A connection already exists"
      })
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("a database that refuses the write (a full disk) → 503 Service temporarily unavailable, no row", () =>
    Effect.gen(function* () {
      const disk = yield* smallDisk()
      const site = yield* startSite({ INCOMING_MODE: "auto_accept", DATABASE_URL: join(disk.dir, "syncwatch.db") })
      yield* disk.fill
      expectReply(yield* post(site, "register-connection", registration), 503, {
        success: false,
        error: "Service temporarily unavailable"
      })
      yield* disk.free
      expect(yield* storedRows(site)).toEqual([])
    })
  )

  it.scopedLive("case 20: only a receiver row blocks: a sender to the same URL does not", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      yield* seed(site, { direction: "sender", siteUrl: SENDER_URL })
      expect((yield* post(site, "register-connection", registration)).status).toBe(200)
      expect((yield* storedRows(site)).map((row) => row.direction).sort()).toEqual(["receiver", "sender"])
    })
  )

  // case 21 changed on purpose: the reference starts and answers 401 to everyone; we refuse to start
  it.scopedLive("case 21 (A6): require_password without INCOMING_PASSWORD, or an empty one, does not start", () =>
    Effect.gen(function* () {
      for (const config of [{}, { INCOMING_PASSWORD: "" }]) {
        const error = yield* Effect.flip(tryStartSite({ INCOMING_MODE: "require_password", ...config }))
        expect(String(error)).toContain("INCOMING_MODE=require_password needs INCOMING_PASSWORD")
      }
    })
  )

  it.scopedLive("case 22: require_password: right → 200, wrong → Invalid password, none → Password required", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "require_password", INCOMING_PASSWORD: "right-pwd" })
      const refused = [
        [{ password: "wrong-pwd" }, "Invalid password"],
        [{ password: "right-pwd " }, "Invalid password"],
        [{ password: "right-pw" }, "Invalid password"],
        [{}, "Password required"],
        [{ password: "" }, "Password required"],
        [{ password: null }, "Password required"]
      ] as const
      for (const [extra, error] of refused) {
        expectReply(yield* post(site, "register-connection", { ...registration, ...extra }), 401, {
          success: false,
          error
        })
      }
      expectReply(yield* post(site, "register-connection", { ...registration, password: 1234 }), 400, {
        success: false,
        error: "Fields must be strings",
        fields: ["password"]
      })
      expect(yield* storedRows(site)).toEqual([])
      const accepted = yield* post(site, "register-connection", { ...registration, password: "right-pwd" })
      expectReply(accepted, 200, {
        success: true,
        message: "Connection registered and activated",
        connection_status: "active",
        connection_uuid: expect.any(String)
      })
      // the password is checked before the duplicate (B §3.6 steps 4, 5)
      expectReply(yield* post(site, "register-connection", { ...registration, password: "wrong-pwd" }), 401, {
        success: false,
        error: "Invalid password"
      })
      expect((yield* storedRows(site)).map((row) => row.status)).toEqual(["active"])
    })
  )

  it.scopedLive("case 22: outside require_password the password field is ignored, whatever its type", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept", INCOMING_PASSWORD: "right-pwd" })
      const reply = yield* post(site, "register-connection", { ...registration, password: { not: "a string" } })
      expect(reply).toMatchObject({ status: 200, body: { success: true, connection_status: "active" } })
    })
  )

  it.scopedLive("case 23: deny_all → 403 before any field validation, even for {}, an empty or a broken body", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "deny_all" })
      const denied = { success: false, error: "Incoming connections are not allowed" }
      expectReply(yield* post(site, "register-connection", registration), 403, denied)
      expectReply(yield* post(site, "register-connection", {}), 403, denied)
      expectReply(yield* postBody(site, "register-connection", ""), 403, denied)
      expectReply(yield* postBody(site, "register-connection", "{not json"), 403, denied)
      expect(yield* storedRows(site)).toEqual([])
    })
  )

  it.scopedLive(
    "case 24: sender_url http://localhost:4000 without ALLOW_INTERNAL_URLS → 500 Fetch failed, no row",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite({ INCOMING_MODE: "auto_accept", ALLOW_INTERNAL_URLS: "false" })
        yield* seed(site, { direction: "sender", siteUrl: SENDER_URL })
        const rows = yield* storedRows(site)
        for (const senderUrl of ["http://localhost:4000", "http://10.0.0.5/api", "file:///etc/passwd", "not a url"]) {
          expectReply(yield* post(site, "register-connection", { ...registration, sender_url: senderUrl }), 500, {
            success: false,
            error: "Fetch failed"
          })
        }
        expect(yield* storedRows(site)).toEqual(rows)
      })
  )
})
