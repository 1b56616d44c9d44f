import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { CSP } from "../src/Page.js"
import { startSite } from "./utils/App.js"

// GET / and its assets, as the built page (test/BuildUi.ts) is served by the server itself

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

describe("the status page's files", () => {
  it.live("GET / is the page, with a strict CSP; its hashed assets are cached for good, with their types", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ ADMIN_TOKEN: "a-long-admin-token-for-tests" })
      const page = yield* get(`${site.siteUrl}/`)
      assert.strictEqual(page.status, 200)
      assert.strictEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
      assert.strictEqual(page.headers.get("cache-control"), "no-cache")
      assert.strictEqual(page.headers.get("content-security-policy"), CSP)
      assert.strictEqual(page.headers.get("x-content-type-options"), "nosniff")
      assert.notInclude(CSP, "unsafe-inline")
      // no inline script: the only scripts are files of this origin
      const scripts = [...page.body.matchAll(/<script\b[^>]*>([^<]*)<\/script>/g)]
      assert.lengthOf(scripts, 1)
      assert.strictEqual(scripts[0]![1], "")
      const assets = [...page.body.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((match) => match[1]!)
      assert.deepStrictEqual(
        assets.map((path) => path.split(".").at(-1)),
        ["css", "js"]
      )
      for (const path of assets) {
        const asset = yield* get(`${site.siteUrl}${path}`)
        assert.strictEqual(asset.status, 200, path)
        assert.strictEqual(
          asset.headers.get("content-type"),
          path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"
        )
        assert.strictEqual(asset.headers.get("cache-control"), "public, max-age=31536000, immutable")
        assert.isAbove(asset.body.length, 100)
      }
      for (const missing of ["/ui/nothing.js", "/ui/index.html", "/ui/.source-hash", "/ui/../package.json"]) {
        assert.strictEqual((yield* get(`${site.siteUrl}${missing}`)).status, 404, missing)
      }
    }).pipe(Effect.scoped)
  )
})
