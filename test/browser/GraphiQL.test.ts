import { mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Browser, chromium, type Page } from "playwright-core"
import { createReceiver } from "../graphql/Documents.js"
import { graphql, startSite } from "../utils/App.js"

// GraphiQL in a real Chromium (Debian's package), with the network closed: every request that is not to
// the site under test is refused and recorded, so a CDN asset would show up here (and GraphiQL stay blank).

const EXECUTABLE = "/usr/bin/chromium"
const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-results")

const browser = Effect.acquireRelease(
  Effect.tryPromise({
    try: () =>
      chromium.launch({ executablePath: EXECUTABLE, args: ["--no-sandbox", "--disable-background-networking"] }),
    catch: (cause) =>
      new Error(
        `could not start a browser at ${EXECUTABLE} (install it: apt-get install -y chromium; .ci/run does): ${String(cause)}`
      )
  }),
  (browser: Browser) => Effect.promise(() => browser.close())
)

const offlinePage = (browser: Browser, origin: string) =>
  Effect.gen(function* () {
    const outside: Array<string> = []
    const context = yield* Effect.acquireRelease(
      Effect.promise(() => browser.newContext()),
      (context) => Effect.promise(() => context.close())
    )
    yield* Effect.promise(() =>
      context.route("**/*", (route) => {
        const url = route.request().url()
        if (url.startsWith(origin)) return route.continue()
        outside.push(url)
        return route.abort("internetdisconnected")
      })
    )
    const page = yield* Effect.promise(() => context.newPage())
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    return { page, outside, errors }
  })

// GraphiQL takes its first query from ?query=; the run button executes it; the answer fills the response pane
// resolves once the server answered this operation (GraphiQL minifies it, POSTs queries and GETs
// subscriptions as SSE; its introspection is another request) (for a subscription: the event stream has started)
const run = (page: Page, url: string, query: string, field: string) =>
  Effect.promise(async () => {
    await page.goto(`${url}?query=${encodeURIComponent(query)}`)
    const answered = page.waitForResponse(
      (response) =>
        response.url().startsWith(url) &&
        `${decodeURIComponent(response.url())} ${response.request().postData() ?? ""}`.includes(`{${field}`),
      { timeout: 30_000 }
    )
    await page.locator(".graphiql-execute-button").click({ timeout: 30_000 })
    const response = await answered
    return { status: response.status(), type: response.headers()["content-type"] ?? "" }
  })

const responseText = (page: Page, expected: string) =>
  Effect.promise(async () => {
    const pane = page.locator(".graphiql-response")
    await pane.getByText(expected).first().waitFor({ timeout: 30_000 })
    return (await pane.textContent()) ?? ""
  })

describe("GraphiQL offline, in Chromium", () => {
  it.live(
    "renders without a CDN, runs a query and a subscription from the page",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite()
        const remote = "http://127.0.0.1:9"
        const uuid = yield* createReceiver(site, remote, "From the test")
        const { page, outside, errors } = yield* offlinePage(yield* browser, site.siteUrl)

        yield* run(page, site.graphqlUrl, "{ connections { uuid name status } }", "connections")
        const listed = yield* responseText(page, "From the test")
        assert.include(listed, uuid)
        assert.include(listed, "ACTIVE")

        const stream = yield* run(
          page,
          site.graphqlUrl,
          "subscription { connectionChanged { kind connectionUuid } }",
          "connectionChanged"
        )
        // the event stream has started: a change made now reaches the page
        assert.strictEqual(stream.status, 200)
        assert.match(stream.type, /^text\/event-stream/)
        const changed = yield* graphql(
          site.graphqlUrl,
          `mutation ($uuid: ID!) { updateConnectionStatus(uuid: $uuid, status: SUSPENDED) { connection { status } } }`,
          { uuid }
        )
        assert.isUndefined(changed.errors)
        const seen = yield* responseText(page, "UPDATED")
        assert.include(seen, uuid)

        mkdirSync(SCREENSHOTS, { recursive: true })
        const file = join(SCREENSHOTS, "graphiql.png")
        yield* Effect.promise(() => page.screenshot({ path: file, fullPage: true }))
        assert.isAbove(statSync(file).size, 0)
        assert.deepStrictEqual(outside, [], "requests that left the machine")
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
