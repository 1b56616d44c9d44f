import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  apiUrl,
  expectReply,
  missing,
  NOT_FOUND,
  notStrings,
  POSTS,
  post,
  postBody,
  REQUIRED,
  S,
  storedRow,
  storedRows,
  withRows
} from "./SyncApi.js"

// A6: whatever the body, an answer in the protocol's JSON and never a crash; rejected requests write nothing.

describe("bodies that are not the expected shape (A6)", () => {
  it.scopedLive("a present field that is not a string → 400 listing it, nothing written", () =>
    Effect.gen(function* () {
      const { site, sender, rows } = yield* withRows()
      const cases: ReadonlyArray<readonly [string, Record<string, unknown>, ReadonlyArray<string>]> = [
        ["verify-connection", { sender_url: S, auth_token_hash: 12345 }, ["auth_token_hash"]],
        ["verify-connection", { sender_url: [S], auth_token_hash: sender.hash }, ["sender_url"]],
        ["delete-connection", { sender_url: { url: S }, auth_token_hash: 0 }, ["sender_url", "auth_token_hash"]],
        ["update-status", { sender_url: S, auth_token_hash: sender.hash, status: true }, ["status"]],
        // false is present (B §3.0)
        ["update-status", { sender_url: S, auth_token_hash: sender.hash, status: false }, ["status"]],
        ["get-connection-status", { receiver_url: {}, auth_token_hash: sender.hash }, ["receiver_url"]],
        ["get-connection-status", { receiver_url: S, auth_token_hash: [sender.hash] }, ["auth_token_hash"]],
        [
          "register-connection",
          { sender_url: "https://new.example.com", connection_name: 42, auth_token: ["t"] },
          ["connection_name", "auth_token"]
        ]
      ]
      for (const [endpoint, body, fields] of cases) {
        expectReply(yield* post(site, endpoint, body), 400, notStrings(...fields))
      }
      // missing fields are reported first
      expectReply(yield* post(site, "verify-connection", { sender_url: 1 }), 400, missing("auth_token_hash"))
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("malformed JSON → 400 Invalid JSON on every endpoint, nothing written", () =>
    Effect.gen(function* () {
      const { site, sender, rows } = yield* withRows()
      for (const endpoint of POSTS) {
        for (const text of ["{not json", `{"sender_url": "${S}", "auth_token_hash": "${sender.hash}"`, "'x'"]) {
          expectReply(yield* postBody(site, endpoint, text), 400, { success: false, error: "Invalid JSON" })
        }
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("a JSON body that is not an object, or an empty body → 400 Missing required fields", () =>
    Effect.gen(function* () {
      const { site, sender, rows } = yield* withRows()
      const array = JSON.stringify([
        { sender_url: S, receiver_url: S, auth_token_hash: sender.hash, status: "revoked" }
      ])
      for (const endpoint of POSTS) {
        for (const text of [array, '"text"', "42", "null", "true", "", "  \n"]) {
          expectReply(yield* postBody(site, endpoint, text), 400, missing(...REQUIRED[endpoint]!))
        }
      }
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("whitespace-only fields count as present: the lookups answer, never a crash", () =>
    Effect.gen(function* () {
      const { site, sender, receiver, rows } = yield* withRows()
      expectReply(yield* post(site, "verify-connection", { sender_url: "  ", auth_token_hash: " " }), 404, {
        success: false,
        exists: false
      })
      expectReply(yield* post(site, "delete-connection", { sender_url: S, auth_token_hash: "\t" }), 404, NOT_FOUND)
      expectReply(
        yield* post(site, "update-status", { sender_url: S, auth_token_hash: receiver.hash, status: "   " }),
        400,
        { success: false, error: "Invalid status value" }
      )
      expect(yield* storedRows(site)).toEqual(rows)
      // receiver_url is only required to be present, so a blank one still gets the answer (and activates)
      expectReply(
        yield* post(site, "get-connection-status", { receiver_url: "   ", auth_token_hash: sender.hash }),
        200,
        { success: true, status: "active", name: sender.name }
      )
    })
  )

  it.scopedLive("whitespace-only fields on register: a blank name is kept, a blank URL or token → Fetch failed", () =>
    Effect.gen(function* () {
      const { site, rows } = yield* withRows()
      // the creation's own validation refuses them: B §3.6 step 6's answer, with nothing written
      for (const body of [
        { sender_url: "   ", connection_name: "Shop", auth_token: "a-token" },
        { sender_url: "https://new.example.com", connection_name: "Shop", auth_token: "   " }
      ]) {
        expectReply(yield* post(site, "register-connection", body), 500, { success: false, error: "Fetch failed" })
      }
      expect(yield* storedRows(site)).toEqual(rows)
      const reply = yield* post(site, "register-connection", {
        sender_url: "https://new.example.com",
        connection_name: "  ",
        auth_token: "a-token"
      })
      expect(reply).toMatchObject({ status: 200, body: { success: true, connection_status: "active" } })
      expect(yield* storedRow(site, (reply.body as { connection_uuid: string }).connection_uuid)).toMatchObject({
        name: "From:   "
      })
    })
  )
})

describe("the query string (B §3.0)", () => {
  it.scopedLive("query parameters count as fields, and the JSON body wins over them", () =>
    Effect.gen(function* () {
      const { site, receiver, rows } = yield* withRows()
      const query = new URLSearchParams({ sender_url: S, auth_token_hash: receiver.hash }).toString()
      const url = `verify-connection?${query}`
      expectReply(yield* postBody(site, url, ""), 200, { success: true, exists: true })
      expectReply(yield* post(site, url, { auth_token_hash: "c".repeat(64) }), 404, { success: false, exists: false })
      expectReply(yield* post(site, `update-status?${query}`, { status: 1 }), 400, notStrings("status"))
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )
})

describe("body size (A6)", () => {
  const padded = (size: number) => {
    const body = { sender_url: "", auth_token_hash: "c".repeat(64) }
    const overhead = JSON.stringify(body).length
    return JSON.stringify({ ...body, sender_url: "x".repeat(size - overhead) })
  }
  const chunked = (text: string) => {
    const bytes = new TextEncoder().encode(text)
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 4096) controller.enqueue(bytes.slice(at, at + 4096))
        controller.close()
      }
    })
  }
  const tooLarge = { success: false, error: "Request body too large" }

  it.scopedLive("a 65 KiB body → 413 JSON, with content-length or chunked; 64 KiB is still read", () =>
    Effect.gen(function* () {
      const { site, rows } = yield* withRows()
      const over = padded(65 * 1024)
      const limit = padded(64 * 1024)
      expect(new TextEncoder().encode(limit).byteLength).toBe(64 * 1024)
      for (const endpoint of POSTS.filter((endpoint) => endpoint !== "register-connection")) {
        expectReply(yield* postBody(site, endpoint, over), 413, tooLarge)
        expectReply(yield* postBody(site, endpoint, chunked(over)), 413, tooLarge)
      }
      expectReply(yield* postBody(site, "register-connection", over), 413, tooLarge)
      expectReply(yield* postBody(site, "register-connection", chunked(over)), 413, tooLarge)
      expectReply(yield* postBody(site, "verify-connection", limit), 404, { success: false, exists: false })
      expectReply(yield* postBody(site, "verify-connection", chunked(limit)), 404, { success: false, exists: false })
      expect(yield* storedRows(site)).toEqual(rows)
    })
  )

  it.scopedLive("a chunked body far past the limit is cut off, and the server keeps answering", () =>
    Effect.gen(function* () {
      const { site } = yield* withRows()
      const huge = chunked(padded(4 * 1024 * 1024))
      const outcome = yield* Effect.either(
        Effect.tryPromise(() =>
          fetch(apiUrl(site, "verify-connection"), {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: huge,
            duplex: "half"
          } as RequestInit)
        )
      )
      expect(outcome._tag).toBe("Left")
      expectReply(yield* post(site, "verify-connection", {}), 400, missing(...REQUIRED["verify-connection"]!))
    })
  )
})
