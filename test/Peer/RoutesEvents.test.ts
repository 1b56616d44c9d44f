import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSite } from "../utils/App.js"
import { captureLogs, logfmt } from "../utils/Logs.js"
import { changesSoFar, subscribeChanges } from "./ChangeFeed.js"
import { expectReply, post, postBody, S, seed } from "./SyncApi.js"

// What the rest of syncwatch sees of a remote's calls: registry changes, and log lines.

describe("remote changes reach subscribers", () => {
  it.scopedLive("update-status, get-connection-status and delete-connection from another site publish a change", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const receiver = yield* seed(site, { direction: "receiver", siteUrl: S, status: "active" })
      const sender = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const changes = yield* subscribeChanges(site)
      // exactly what each call caused, nothing more
      const caused = changesSoFar(site, changes)

      const update = { sender_url: S, auth_token_hash: receiver.hash, status: "suspended" }
      expect((yield* post(site, "update-status", update)).status).toBe(200)
      expect(yield* caused).toEqual([
        { kind: "UPDATED", connectionUuid: receiver.uuid, connection: { status: "SUSPENDED" } }
      ])
      // the same status again writes nothing and publishes nothing
      expect((yield* post(site, "update-status", update)).status).toBe(200)
      expect(yield* caused).toEqual([])

      const query = { receiver_url: S, auth_token_hash: sender.hash }
      expect(yield* post(site, "get-connection-status", query)).toMatchObject({
        status: 200,
        body: { status: "active" }
      })
      expect(yield* caused).toEqual([
        { kind: "UPDATED", connectionUuid: sender.uuid, connection: { status: "ACTIVE" } }
      ])

      expect((yield* post(site, "delete-connection", { sender_url: S, auth_token_hash: receiver.hash })).status).toBe(
        200
      )
      expect(yield* caused).toEqual([{ kind: "DELETED", connectionUuid: receiver.uuid, connection: null }])
    })
  )

  it.scopedLive("register-connection publishes the created receiver; a refused call publishes nothing", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ INCOMING_MODE: "auto_accept" })
      const changes = yield* subscribeChanges(site)
      const registration = { sender_url: S, connection_name: "Shop", auth_token: "a-token" }
      const reply = yield* post(site, "register-connection", registration)
      const uuid = (reply.body as { connection_uuid: string }).connection_uuid
      expect(yield* changesSoFar(site, changes)).toEqual([
        { kind: "CREATED", connectionUuid: uuid, connection: { status: "ACTIVE" } }
      ])
      expect((yield* post(site, "register-connection", registration)).status).toBe(409)
      expect(
        (yield* post(site, "update-status", { sender_url: S, auth_token_hash: "x", status: "revoked" })).status
      ).toBe(404)
      expect(yield* changesSoFar(site, changes)).toEqual([])
    })
  )
})

describe("no token or hash in the logs", () => {
  it.scopedLive("every endpoint, found or not, accepted or refused, at LOG_LEVEL=all", () => {
    const { lines, layer: capture } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const site = yield* startSite({ LOG_LEVEL: "all", INCOMING_MODE: "auto_accept", ALLOW_INTERNAL_URLS: "false" })
      const sender = yield* seed(site, { direction: "sender", siteUrl: S, status: "pending" })
      const receiver = yield* seed(site, { direction: "receiver", siteUrl: "https://r.example.com", status: "active" })
      const token = "raw-registration-token-7f3a9c"
      const secrets = [sender.token, sender.hash, receiver.token, receiver.hash, token]

      const calls: ReadonlyArray<readonly [string, unknown]> = [
        ["get-connection-status", { receiver_url: S, auth_token_hash: sender.hash }],
        ["get-connection-status", { receiver_url: S, auth_token_hash: sender.hash }],
        ["get-connection-status", { receiver_url: S, auth_token_hash: receiver.hash }],
        ["get-connection-status", { receiver_url: [S], auth_token_hash: sender.hash }],
        ["register-connection", { sender_url: "https://new.example.com", connection_name: "New", auth_token: token }],
        ["register-connection", { sender_url: "https://new.example.com", connection_name: "New", auth_token: token }],
        [
          "register-connection",
          { sender_url: "https://other.example.com", connection_name: "Same token", auth_token: token }
        ],
        [
          "register-connection",
          { sender_url: "http://localhost:4000", connection_name: "Internal", auth_token: token }
        ],
        ["register-connection", { sender_url: 7, connection_name: "Bad", auth_token: token }],
        ["verify-connection", { sender_url: receiver.siteUrl, auth_token_hash: receiver.hash }],
        ["update-status", { sender_url: receiver.siteUrl, auth_token_hash: receiver.hash, status: "potato" }],
        ["update-status", { sender_url: receiver.siteUrl, auth_token_hash: receiver.hash, status: "suspended" }],
        ["delete-connection", { sender_url: receiver.siteUrl, auth_token_hash: receiver.hash }],
        ["delete-connection", { sender_url: receiver.siteUrl, auth_token_hash: receiver.hash }]
      ]
      const statuses: Array<number> = []
      for (const [endpoint, body] of calls) statuses.push((yield* post(site, endpoint, body)).status)
      expect(statuses).toEqual([200, 200, 404, 400, 200, 409, 409, 500, 400, 200, 400, 200, 200, 404])
      expectReply(yield* postBody(site, "get-connection-status", `{"auth_token_hash": "${sender.hash}"`), 400, {
        success: false,
        error: "Invalid JSON"
      })

      // the capture sees the server's lines, so their silence about the secrets means something
      expect(lines.some((line) => line.includes("Sender status queried") && line.includes(`receiverUrl=${S}`))).toBe(
        true
      )
      expect(lines.filter((line) => line.includes("Registration refused"))).toHaveLength(1)
      for (const secret of secrets) {
        expect(lines.filter((line) => line.includes(secret))).toEqual([])
      }
    }).pipe(Effect.provide(capture))
  })
})
