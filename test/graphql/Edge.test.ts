import * as Http from "node:http"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Exit, Scope } from "effect"
import WebSocket from "ws"
import { graphql, startSite } from "../utils/App.js"
import { sse, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import { captureLogs, logfmt } from "../utils/Logs.js"
import { CONNECTION_CHANGED } from "./Documents.js"
import { edgeSettings } from "./EdgeSettings.js"

const TOKEN = "a-long-admin-token-for-tests"
const BEARER = { authorization: `Bearer ${TOKEN}` }
const LIST = JSON.stringify({ query: "{ connections { uuid } }" })
const createAt = (port: number) =>
  `mutation { createConnection(input: { name: "x", direction: RECEIVER, siteUrl: "http://127.0.0.1:${port}" }) { authToken } }`
const CREATE = createAt(9)

interface Raw {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

// node:http, so that Host and Origin are exactly what a browser (or an attacker's page) would send
const raw = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  Effect.async<Raw>((resume) => {
    const request = Http.request(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body })))
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(options.body)
  })

const code = (response: Raw) =>
  (JSON.parse(response.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code

const count = (url: string, headers: Record<string, string> = {}) =>
  Effect.map(graphql(url, "{ connections { uuid } }", {}, headers), (result) => {
    if (result.errors) throw new Error(JSON.stringify(result.errors))
    return (result.data?.["connections"] as Array<unknown> | undefined)?.length ?? -1
  })

// the upgrade's answer: opened, or refused with an HTTP status
const upgrade = (port: number, headers: Record<string, string>) =>
  Effect.async<number | "open">((resume) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, "graphql-transport-ws", { headers })
    socket.on("open", () => {
      socket.close()
      resume(Effect.succeed("open"))
    })
    socket.on("unexpected-response", (_request, response) => {
      resume(Effect.succeed(response.statusCode ?? 0))
      socket.terminate()
    })
    socket.on("error", () => {})
  })

describe("no cross-site access", () => {
  it.live("a cross-origin form POST is refused (415) and changes nothing", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
        const response = yield* raw(site.graphqlUrl, {
          method: "POST",
          headers: { "content-type": type, host: `127.0.0.1:${site.port}` },
          body: `query=${encodeURIComponent(CREATE)}`
        })
        assert.strictEqual(response.status, 415, type)
        assert.strictEqual(code(response), "UnsupportedMediaType")
      }
      assert.strictEqual(yield* count(site.graphqlUrl), 0)
    }).pipe(Effect.scoped)
  )

  it.live("another origin is refused (403) and gets no CORS headers; CORS_ORIGINS are allowed", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ CORS_ORIGINS: "https://admin.example.com" })
      let port = 9
      const post = (origin: string) =>
        raw(site.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", origin },
          body: JSON.stringify({ query: createAt(port++) })
        })
      const evil = yield* post("https://evil.example")
      assert.strictEqual(evil.status, 403)
      assert.strictEqual(code(evil), "ForbiddenOrigin")
      assert.isUndefined(evil.headers["access-control-allow-origin"])
      assert.isUndefined(evil.headers["access-control-allow-credentials"])
      assert.strictEqual(yield* count(site.graphqlUrl), 0)

      const allowed = yield* post("https://admin.example.com")
      assert.strictEqual(allowed.status, 200, allowed.body)
      assert.strictEqual(allowed.headers["access-control-allow-origin"], "https://admin.example.com")
      assert.isUndefined(allowed.headers["access-control-allow-credentials"])
      // the page served by syncwatch itself (GraphiQL) is same-origin
      const own = yield* post(`http://127.0.0.1:${site.port}`)
      assert.strictEqual(own.status, 200, own.body)
      assert.isUndefined(own.headers["access-control-allow-origin"])
      assert.strictEqual(yield* count(site.graphqlUrl), 2)
    }).pipe(Effect.scoped)
  )

  it.live("a request the browser marks cross-site is refused without an Origin; following a link is not", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const query = `${site.graphqlUrl}?query=${encodeURIComponent("{ connections { uuid } }")}`
      const tag = yield* raw(query, {
        headers: { accept: "*/*", "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" }
      })
      assert.strictEqual(tag.status, 403)
      assert.strictEqual(code(tag), "ForbiddenOrigin")
      const link = yield* raw(site.graphqlUrl, {
        headers: { accept: "text/html", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }
      })
      assert.strictEqual(link.status, 200)
      const own = yield* raw(query, { headers: { accept: "application/json", "sec-fetch-site": "same-origin" } })
      assert.strictEqual(own.status, 200)
    }).pipe(Effect.scoped)
  )

  it.live("a WebSocket from another origin is refused with 403; same origin and no origin are not", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      assert.strictEqual(yield* upgrade(site.port, { origin: "https://evil.example" }), 403)
      assert.strictEqual(yield* upgrade(site.port, { origin: `http://127.0.0.1:${site.port}` }), "open")
      assert.strictEqual(yield* upgrade(site.port, {}), "open")
    }).pipe(Effect.scoped)
  )

  it.live(
    "a rebinding Host is refused (421) on /graphql; the sync API still answers it; ALLOWED_HOSTS adds names",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite({ ALLOWED_HOSTS: "syncwatch.internal" })
        const post = (host: string) =>
          raw(site.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", host }, body: LIST })
        const evil = yield* post(`evil.example:${site.port}`)
        assert.strictEqual(evil.status, 421)
        assert.strictEqual(code(evil), "MisdirectedRequest")
        assert.strictEqual(yield* upgrade(site.port, { host: `evil.example:${site.port}` }), 421)
        assert.strictEqual((yield* post(`localhost:${site.port}`)).status, 200)
        assert.strictEqual((yield* post(`[::1]:${site.port}`)).status, 200)
        assert.strictEqual((yield* post("syncwatch.internal")).status, 200)
        const sync = yield* raw(`${site.siteUrl}/phoenix_kit/sync/api/status`, {
          headers: { host: "evil.example", accept: "application/json" }
        })
        assert.strictEqual(sync.status, 200, sync.body)
      }).pipe(Effect.scoped)
  )
})

describe("ADMIN_TOKEN", () => {
  it.live("HTTP without the token, or with another, is refused (401) and changes nothing", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN })
      for (const headers of [{}, { authorization: "Bearer wrong-token-of-some-length" }, { authorization: TOKEN }]) {
        const response = yield* raw(site.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ query: CREATE })
        })
        assert.strictEqual(response.status, 401)
        assert.strictEqual(code(response), "Unauthenticated")
        assert.strictEqual(response.headers["www-authenticate"], 'Bearer realm="syncwatch"')
      }
      const get = yield* raw(`${site.graphqlUrl}?query=${encodeURIComponent("{ connections { uuid } }")}`, {
        headers: { accept: "application/json" }
      })
      assert.strictEqual(get.status, 401)
      assert.strictEqual(yield* count(site.graphqlUrl, BEARER), 0)
      assert.strictEqual(yield* count(site.graphqlUrl, { authorization: `bearer ${TOKEN}` }), 0)
      assert.deepStrictEqual((yield* graphql(site.graphqlUrl, CREATE, {}, BEARER)).errors, undefined)
      assert.strictEqual(yield* count(site.graphqlUrl, BEARER), 1)
    }).pipe(Effect.scoped)
  )

  it.live("/health, GraphiQL's page and the sync API stay open", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN })
      assert.strictEqual((yield* raw(`${site.siteUrl}/health`)).status, 200)
      const page = yield* raw(site.graphqlUrl, { headers: { accept: "text/html" } })
      assert.strictEqual(page.status, 200)
      assert.include(page.body, "Bearer <ADMIN_TOKEN>")
      assert.notInclude(page.body, TOKEN)
      const sync = yield* raw(`${site.siteUrl}/phoenix_kit/sync/api/status`, {
        headers: { accept: "application/json" }
      })
      assert.strictEqual(sync.status, 200)
    }).pipe(Effect.scoped)
  )

  it.live("SSE subscriptions need the token", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN })
      const refused = yield* sse(site.graphqlUrl, CONNECTION_CHANGED)
      assert.strictEqual(refused.response.status, 401)
      const accepted = yield* sse(site.graphqlUrl, CONNECTION_CHANGED, {}, BEARER)
      yield* Deferred.await(accepted.started).pipe(within("first ping"))
      assert.strictEqual(accepted.response.status, 200)
    }).pipe(Effect.scoped)
  )

  it.live("graphql-ws checks connectionParams.authorization once per socket", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN })
      const closed = yield* Deferred.make<number>()
      const anonymous = yield* wsClient(site.port, {
        closed: (event) => Deferred.unsafeDone(closed, Exit.succeed((event as { code: number }).code))
      })
      const refused = yield* wsSubscribe(anonymous, CONNECTION_CHANGED)
      assert.strictEqual(yield* Deferred.await(closed).pipe(within("the socket to close")), 4403)
      assert.isTrue(Exit.isFailure(yield* Deferred.await(refused.done).pipe(Effect.exit)))

      const admin = yield* wsClient(site.port, {}, { connectionParams: { authorization: `Bearer ${TOKEN}` } })
      const query = yield* wsSubscribe(admin, "{ connections { uuid } }")
      expect(yield* query.next.pipe(within("a ws query"))).toMatchObject({ data: { connections: [] } })
    }).pipe(Effect.scoped)
  )
})

describe("ADMIN_TOKEN in the logs", () => {
  it.live("never appears, right or wrong, over HTTP and graphql-ws, at LOG_LEVEL=all", () => {
    const { lines, layer: capture } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const wrong = "a-wrong-admin-token-of-some-length"
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN, LOG_LEVEL: "all" })
      yield* count(site.graphqlUrl, BEARER)
      yield* graphql(site.graphqlUrl, "{ connections { uuid } }", {}, { authorization: `Bearer ${wrong}` })
      const unknown = `mutation { deleteConnection(uuid: "01900000-0000-7000-8000-000000000000") { deleted } }`
      yield* graphql(site.graphqlUrl, unknown, {}, BEARER)
      const admin = yield* wsClient(site.port, {}, { connectionParams: { authorization: `Bearer ${TOKEN}` } })
      yield* (yield* wsSubscribe(admin, "{ connections { uuid } }")).next.pipe(within("a ws query"))
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter((line) => line.includes(TOKEN) || line.includes(wrong))).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(capture))
  })
})

describe("a token removed by a restart", () => {
  it.live("ends the subscriptions it opened, and opens nothing after", () =>
    Effect.gen(function* () {
      const first = yield* Scope.make()
      const site = yield* startSite({ ADMIN_TOKEN: TOKEN }).pipe(Scope.extend(first))
      const changes = yield* sse(site.graphqlUrl, CONNECTION_CHANGED, {}, BEARER)
      yield* Deferred.await(changes.started).pipe(within("first ping"))
      yield* Scope.close(first, Exit.void)
      assert.strictEqual(yield* Deferred.await(changes.ended).pipe(within("the stream to end")), "complete")

      const again = yield* startSite({ ...site.config, ADMIN_TOKEN: "another-long-admin-token" })
      const refused = yield* sse(again.graphqlUrl, CONNECTION_CHANGED, {}, BEARER)
      assert.strictEqual(refused.response.status, 401)
    }).pipe(Effect.scoped)
  )
})

describe("start-up", () => {
  it.effect("refuses a HOST that is not loopback without ADMIN_TOKEN, and says how to fix it", () =>
    Effect.gen(function* () {
      for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
        const refused = yield* edgeSettings({ HOST: host })
        assert.isTrue(Either.isLeft(refused), host)
        if (Either.isLeft(refused)) {
          assert.include(String(refused.left), "ADMIN_TOKEN")
          assert.include(String(refused.left), "ALLOW_UNAUTHENTICATED=true")
        }
      }
      assert.isTrue(Either.isRight(yield* edgeSettings({ HOST: "0.0.0.0", ALLOW_UNAUTHENTICATED: "true" })))
      assert.isTrue(Either.isRight(yield* edgeSettings({ HOST: "0.0.0.0", ADMIN_TOKEN: TOKEN })))
      for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"]) {
        assert.isTrue(Either.isRight(yield* edgeSettings({ HOST: host })), host)
      }
    })
  )

  it.effect("refuses a bad CORS_ORIGINS, GRAPHQL_BODY_LIMIT or a short ADMIN_TOKEN, naming it", () =>
    Effect.gen(function* () {
      for (const [name, value] of [
        ["CORS_ORIGINS", "admin.example.com"],
        ["CORS_ORIGINS", "https://admin.example.com/path"],
        ["GRAPHQL_BODY_LIMIT", "0"],
        ["ADMIN_TOKEN", "short"]
      ] as const) {
        const refused = yield* edgeSettings({ [name]: value })
        assert.isTrue(Either.isLeft(refused), `${name}=${value}`)
        if (Either.isLeft(refused)) assert.include(String(refused.left), name)
      }
    })
  )
})

describe("malformed requests get a clear answer (issue 18, item 10)", () => {
  it.live("Host: evil@127.0.0.1 is 400 with a message, logged with the host clipped", () => {
    const { lines, layer: capture } = captureLogs(logfmt)
    return Effect.gen(function* () {
      const site = yield* startSite({ LOG_LEVEL: "warning" })
      for (const host of ["evil@127.0.0.1", `${"e".repeat(10_000)}@127.0.0.1`]) {
        const response = yield* raw(site.graphqlUrl, {
          method: "POST",
          headers: { host, "content-type": "application/json" },
          body: LIST
        })
        assert.strictEqual(response.status, 400)
        assert.strictEqual(code(response), "BadRequest")
        assert.include(response.body, "Host header")
      }
      const logged = lines.filter((line) => line.includes("malformed Host header"))
      assert.lengthOf(logged, 2)
      assert.include(logged[0], "evil@127.0.0.1")
      assert.isBelow(logged[1]!.length, 1_000)
      // and the upgrade path too
      assert.strictEqual(yield* upgrade(site.port, { host: "evil@127.0.0.1" }), 400)
    }).pipe(Effect.scoped, Effect.provide(capture))
  })

  it.live("a POST with content-type application/graphql-response+json is 415, saying which type to send", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* raw(site.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/graphql-response+json" },
        body: LIST
      })
      assert.strictEqual(response.status, 415)
      assert.strictEqual(code(response), "UnsupportedMediaType")
      assert.include(response.body, "application/json")
    }).pipe(Effect.scoped)
  )

  it.live("GET /graphql as HTML (GraphiQL) carries the status page's frame and content policy", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* raw(site.graphqlUrl, { headers: { accept: "text/html" } })
      assert.strictEqual(response.status, 200)
      const csp = String(response.headers["content-security-policy"])
      assert.include(csp, "frame-ancestors 'none'")
      assert.include(csp, "form-action 'none'")
      assert.include(csp, "default-src 'none'")
      assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
      assert.notInclude(
        csp.split(";").find((d) => d.includes("script-src")),
        "unsafe-inline"
      )
      assert.strictEqual(response.headers["x-frame-options"], "DENY")
      assert.strictEqual(response.headers["x-content-type-options"], "nosniff")
    }).pipe(Effect.scoped)
  )
})
