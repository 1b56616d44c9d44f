import { readdirSync, readFileSync } from "node:fs"
import { extname } from "node:path"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Layer, Option } from "effect"
import { ROOT } from "./Root.js"

// The status page (GET /): the files `ui/build.mjs` wrote into dist/ui, read once when the server starts.
// Built before the server runs (npm start, the tests' global setup), never on a request.

const DIR = new URL("dist/ui/", ROOT)

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8"
}

// Our pages' policy: nothing from elsewhere, never in another site's frame, no form posted anywhere.
// `allow` adds sources per directive (GraphiQL's inline script by its hash, its workers from blob:).
export const policy = (allow: Readonly<Record<string, string>> = {}) => {
  const directives: Record<string, string> = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'"
  }
  for (const [name, sources] of Object.entries(allow)) {
    directives[name] = directives[name] === undefined ? sources : `${directives[name]} ${sources}`
  }
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources}`)
    .join("; ")
}

// nothing inline, nothing from elsewhere: the script, the style and the API all come from this origin
export const CSP = policy()

// what every page of ours is served with, after its own content-security-policy; X-Frame-Options for
// browsers that do not know frame-ancestors
export const securityHeaders = (csp: string) => ({
  "content-security-policy": csp,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin"
})

const SECURITY = securityHeaders(CSP)

interface Asset {
  readonly body: Uint8Array
  readonly type: string
}

const read = (): ReadonlyMap<string, Asset> =>
  new Map(
    readdirSync(DIR)
      .filter((name) => TYPES[extname(name)] !== undefined)
      .map((name) => [name, { body: readFileSync(new URL(name, DIR)), type: TYPES[extname(name)]! }] as const)
  )

const serve = (asset: Asset, cacheControl: string) =>
  HttpServerResponse.uint8Array(asset.body, {
    contentType: asset.type,
    headers: { ...SECURITY, "cache-control": cacheControl }
  })

const notBuilt = HttpServerResponse.text("The status page is not built: run `npm run build` (npm start does).", {
  status: 503,
  headers: { "cache-control": "no-store" }
})

export const RouteLive = Layer.unwrapEffect(
  Effect.sync(() => {
    const assets = Option.getOrElse(Option.liftThrowable(read)(), (): ReadonlyMap<string, Asset> => new Map())
    const index = assets.get("index.html")
    const page = index === undefined ? notBuilt : serve(index, "no-cache")
    // the file names carry a hash of their content (esbuild's entryNames), so they never change
    const asset = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
      const name = new URL(request.url, "http://localhost").pathname.slice("/ui/".length)
      const found = name === "index.html" ? undefined : assets.get(name)
      return found === undefined
        ? HttpServerResponse.text("Not found", { status: 404, headers: { "cache-control": "no-store" } })
        : serve(found, "public, max-age=31536000, immutable")
    })
    return Layer.mergeAll(
      HttpLayerRouter.add("GET", "/", Effect.succeed(page)),
      HttpLayerRouter.add("GET", "/ui/*", asset)
    )
  })
)
