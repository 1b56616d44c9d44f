import { mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { graphql, startSite } from "../utils/App.js"
import { browser, offlinePage } from "./Chromium.js"

// GraphiQL in a real Chromium (Debian's package), with the network closed (Chromium.ts): a CDN asset would
// show up in `outside` (and GraphiQL stay blank).

const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-results")

// GraphiQL takes its first query from ?query=; the run button executes it; the answer fills the response pane
const open = (page: Page, url: string, query: string) =>
  Effect.promise(() => page.goto(`${url}?query=${encodeURIComponent(query)}`))

// what a user does in the Headers tab: clear it, type the JSON (the editor closes brackets and quotes,
// and types over them)
const setHeaders = (page: Page, headers: Record<string, string>) =>
  Effect.promise(async () => {
    await page.getByRole("button", { name: "Headers" }).click({ timeout: 60_000 })
    const editor = page.locator(".graphiql-editor-tool .monaco-editor").last()
    await editor.click()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.press("Backspace")
    await page.keyboard.type(JSON.stringify(headers))
  })

// resolves once the server answered this operation (GraphiQL minifies it, POSTs queries and GETs
// subscriptions as SSE; its introspection is another request)
const execute = (page: Page, url: string, field: string) =>
  Effect.promise(async () => {
    const answered = page.waitForResponse(
      (response) =>
        response.url().startsWith(url) &&
        `${decodeURIComponent(response.url())} ${response.request().postData() ?? ""}`.includes(`{${field}`),
      { timeout: 60_000 }
    )
    await page.locator(".graphiql-execute-button").click({ timeout: 60_000 })
    const response = await answered
    return { status: response.status(), type: response.headers()["content-type"] ?? "" }
  })

// GraphiQL stores its tabs after 500 ms of quiet: once the stored state holds a marker typed into the query,
// what it holds of the headers is there too. Every key of both storages, so a token anywhere is found.
const storedTabs = (page: Page, query: string) =>
  Effect.promise(async () => {
    // an edit after the headers were typed: its save holds them too, if GraphiQL keeps them
    await page.locator(".graphiql-query-editor .monaco-editor").first().click()
    await page.keyboard.press("ControlOrMeta+End")
    await page.keyboard.type(` # ${query}`)
    await page.waitForFunction(
      (wanted) => Object.keys(localStorage).some((key) => (localStorage.getItem(key) ?? "").includes(wanted)),
      query,
      { timeout: 60_000 }
    )
    return page.evaluate(() =>
      [localStorage, sessionStorage].flatMap((storage) =>
        Object.keys(storage).map((key) => `${key}=${storage.getItem(key) ?? ""}`)
      )
    )
  })

const responseText = (page: Page, expected: string) =>
  Effect.promise(async () => {
    const pane = page.locator(".graphiql-response")
    await pane.getByText(expected).first().waitFor({ timeout: 60_000 })
    return (await pane.textContent()) ?? ""
  })

const CREATE = `mutation ($input: CreateConnectionInput!) { createConnection(input: $input) { connection { uuid } } }`

const session = (token: string | undefined) =>
  Effect.gen(function* () {
    const site = yield* startSite(token === undefined ? {} : { ADMIN_TOKEN: token })
    const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    const created = yield* graphql(
      site.graphqlUrl,
      CREATE,
      { input: { name: "From the test", direction: "RECEIVER", siteUrl: "http://127.0.0.1:9" } },
      auth
    )
    const uuid = created.data?.["createConnection"]["connection"]["uuid"] as string
    const { page, outside, errors } = yield* offlinePage(yield* browser, site.siteUrl)
    // what the page's Content-Security-Policy refused (GraphiQL's inline script, its workers…)
    const refused: Array<string> = []
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) refused.push(message.text())
    })

    yield* open(page, site.graphqlUrl, "{ connections { uuid name status } }")
    if (token !== undefined) yield* setHeaders(page, { Authorization: `Bearer ${token}` })
    const query = yield* execute(page, site.graphqlUrl, "connections")
    assert.strictEqual(query.status, 200)
    const listed = yield* responseText(page, "From the test")
    assert.include(listed, uuid)
    assert.include(listed, "ACTIVE")

    // the token typed in the Headers tab is not written to the browser's storage (a script of this origin, or
    // the next user of the machine, would find it there): the user types it again on the next page
    if (token !== undefined) {
      const stored = yield* storedTabs(page, "saved-after-the-headers")
      assert.isNotEmpty(stored)
      assert.deepStrictEqual(
        stored.filter((entry) => entry.includes(token)).map((entry) => entry.split("=")[0]),
        [],
        "storage keys that hold the token"
      )
    }
    yield* open(page, site.graphqlUrl, "subscription { connectionChanged { kind connectionUuid } }")
    if (token !== undefined) yield* setHeaders(page, { Authorization: `Bearer ${token}` })
    const stream = yield* execute(page, site.graphqlUrl, "connectionChanged")
    // the event stream has started: a change made now reaches the page
    assert.strictEqual(stream.status, 200)
    assert.match(stream.type, /^text\/event-stream/)
    const changed = yield* graphql(
      site.graphqlUrl,
      `mutation ($uuid: ID!) { updateConnectionStatus(uuid: $uuid, status: SUSPENDED) { connection { status } } }`,
      { uuid },
      auth
    )
    assert.isUndefined(changed.errors)
    const seen = yield* responseText(page, "UPDATED")
    assert.include(seen, uuid)

    mkdirSync(SCREENSHOTS, { recursive: true })
    const file = join(SCREENSHOTS, token === undefined ? "graphiql.png" : "graphiql-token.png")
    yield* Effect.promise(() => page.screenshot({ path: file, fullPage: true }))
    assert.isAbove(statSync(file).size, 0)
    assert.deepStrictEqual(outside, [], "requests that left the machine")
    assert.deepStrictEqual(errors, [])
    assert.deepStrictEqual(refused, [])
  }).pipe(Effect.scoped)

describe("GraphiQL offline, in Chromium", () => {
  it.live(
    "opens on a welcome of its own: the title syncwatch and an example query that runs",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite({})
        yield* graphql(site.graphqlUrl, CREATE, {
          input: { name: "Welcome shop", direction: "RECEIVER", siteUrl: "http://127.0.0.1:9" }
        })
        const { page, outside, errors } = yield* offlinePage(yield* browser, site.siteUrl)
        yield* Effect.promise(() => page.goto(site.graphqlUrl))
        assert.strictEqual(yield* Effect.promise(() => page.title()), "syncwatch")
        const editor = page.locator(".graphiql-query-editor").first()
        yield* Effect.promise(() => editor.getByText("query Connections").waitFor({ timeout: 60_000 }))
        assert.notInclude(yield* Effect.promise(async () => (await editor.textContent()) ?? ""), "in-browser tool")
        const query = yield* execute(page, site.graphqlUrl, "viewer")
        assert.strictEqual(query.status, 200)
        const answer = yield* responseText(page, "Welcome shop")
        assert.include(answer, "ADMIN")
        assert.notInclude(answer, '"errors"')
        assert.deepStrictEqual(outside, [], "requests that left the machine")
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )

  it.live("renders without a CDN, runs a query and a subscription from the page", () => session(undefined), {
    timeout: 180_000
  })

  it.live(
    "with ADMIN_TOKEN, the user sets the header in the Headers tab",
    () => session("a-long-admin-token-for-tests"),
    {
      timeout: 180_000
    }
  )
})
