import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type RunningSite, startSite } from "../utils/App.js"
import {
  expectReply,
  getStatus,
  missing,
  POSTS,
  post,
  postWithHeaderLines,
  REQUIRED,
  type Reply,
  S,
  storedRow,
  storedRows,
  withRows
} from "./SyncApi.js"

// A6 and B §7.18: headers never crash a request, X-Forwarded-For is trusted only when configured;
// the routes live under SYNC_URL_PREFIX.

const registeredMetadata = (site: RunningSite, reply: Reply) =>
  Effect.gen(function* () {
    expect(reply).toMatchObject({ status: 200, body: { success: true } })
    const row = yield* storedRow(site, (reply.body as { connection_uuid: string }).connection_uuid)
    return row!.metadata
  })

describe("headers (A6)", () => {
  it.scopedLive("Accept: text/html → 406 on every endpoint, the status one and a disabled module included", () =>
    Effect.gen(function* () {
      const { site, rows } = yield* withRows()
      const disabled = yield* startSite({ SYNC_ENABLED: "false" })
      const html = { headers: { accept: "text/html" } }
      const notAcceptable = { success: false, error: "Not Acceptable" }
      for (const target of [site, disabled]) {
        expectReply(yield* getStatus(target, html), 406, notAcceptable)
        for (const endpoint of POSTS) expectReply(yield* post(target, endpoint, {}, html), 406, notAcceptable)
      }
      expect(yield* storedRows(site)).toEqual(rows)
      // anything that admits JSON is fine
      for (const accept of ["*/*", "application/*", "text/html, application/json;q=0.9", ""]) {
        expect((yield* getStatus(site, { headers: { accept } })).status).toBe(200)
      }
      // and so is no Accept header at all (fetch always sends one; node:http does not)
      expectReply(
        yield* postWithHeaderLines(site, "verify-connection", {}, {}),
        400,
        missing(...REQUIRED["verify-connection"]!)
      )
    })
  )

  it.scopedLive("X-Forwarded-For is not trusted by default: remote_ip is the socket peer", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      const reply = yield* post(
        site,
        "register-connection",
        { sender_url: S, connection_name: "Shop", auth_token: "a-token" },
        { headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "Partner/2.0" } }
      )
      expect(yield* registeredMetadata(site, reply)).toMatchObject({
        remote_ip: "127.0.0.1",
        user_agent: "Partner/2.0"
      })
    })
  )

  it.scopedLive("TRUST_PROXY=true: remote_ip is the first X-Forwarded-For entry, trimmed", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept", TRUST_PROXY: "true" })
      const reply = yield* post(
        site,
        "register-connection",
        { sender_url: S, connection_name: "Shop", auth_token: "a-token" },
        { headers: { "x-forwarded-for": " 203.0.113.7 , 10.0.0.1" } }
      )
      expect(yield* registeredMetadata(site, reply)).toMatchObject({ remote_ip: "203.0.113.7" })
      // no header: the socket peer again
      const direct = yield* post(site, "register-connection", {
        sender_url: "https://direct.example.com",
        connection_name: "Direct",
        auth_token: "another-token"
      })
      expect(yield* registeredMetadata(site, direct)).toMatchObject({ remote_ip: "127.0.0.1" })
    })
  )

  it.scopedLive("two X-Forwarded-For and two User-Agent header lines → no crash (B §7.18 fixed)", () =>
    Effect.gen(function* () {
      const headers = {
        "x-forwarded-for": ["203.0.113.7", "198.51.100.1"],
        "user-agent": ["First/1.0", "Second/2.0"]
      }
      const body = { sender_url: S, connection_name: "Shop", auth_token: "a-token" }
      const untrusted = yield* startSite({ INCOMING_MODE: "auto_accept" })
      expect(
        yield* registeredMetadata(
          untrusted,
          yield* postWithHeaderLines(untrusted, "register-connection", body, headers)
        )
      ).toMatchObject({ remote_ip: "127.0.0.1", user_agent: "First/1.0" })
      const trusted = yield* startSite({ INCOMING_MODE: "auto_accept", TRUST_PROXY: "true" })
      expect(
        yield* registeredMetadata(trusted, yield* postWithHeaderLines(trusted, "register-connection", body, headers))
      ).toMatchObject({ remote_ip: "203.0.113.7", user_agent: "First/1.0" })
      // the other endpoints do not care either
      expectReply(
        yield* postWithHeaderLines(trusted, "verify-connection", { sender_url: S, auth_token_hash: "x" }, headers),
        404,
        { success: false, exists: false }
      )
      // and the checks before the registration itself do not read them
      const disabled = yield* startSite({ SYNC_ENABLED: "false" })
      expectReply(yield* postWithHeaderLines(disabled, "register-connection", body, headers), 503, {
        success: false,
        error: "Sync module is disabled"
      })
    })
  )

  it.scopedLive('no User-Agent header → user_agent "unknown"', () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      const reply = yield* postWithHeaderLines(
        site,
        "register-connection",
        { sender_url: S, connection_name: "Shop", auth_token: "a-token" },
        {}
      )
      expect(yield* registeredMetadata(site, reply)).toMatchObject({ remote_ip: "127.0.0.1", user_agent: "unknown" })
    })
  )
})

describe("SYNC_URL_PREFIX", () => {
  it.scopedLive('"custom/" mounts the API at /custom/sync/api and nothing at /phoenix_kit', () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_URL_PREFIX: "custom/" })
      expect(yield* getStatus(site, { prefix: "/custom" })).toMatchObject({ status: 200, body: { enabled: true } })
      expectReply(
        yield* post(site, "verify-connection", {}, { prefix: "/custom" }),
        400,
        missing(...REQUIRED["verify-connection"]!)
      )
      for (const prefix of ["/phoenix_kit", "", "/custom/sync"]) {
        expect((yield* getStatus(site, { prefix })).status).toBe(404)
        expect((yield* post(site, "verify-connection", {}, { prefix })).status).toBe(404)
      }
    })
  )

  it.scopedLive('"" mounts the API at /sync/api', () =>
    Effect.gen(function* () {
      const site = yield* startSite({ SYNC_URL_PREFIX: "" })
      expect(yield* getStatus(site, { prefix: "" })).toMatchObject({ status: 200, body: { enabled: true } })
      expectReply(
        yield* post(site, "get-connection-status", {}, { prefix: "" }),
        400,
        missing(...REQUIRED["get-connection-status"]!)
      )
      expect((yield* getStatus(site)).status).toBe(404)
      expect((yield* post(site, "verify-connection", {})).status).toBe(404)
    })
  )
})
