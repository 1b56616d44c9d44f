import { mkdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import type { Browser, Page } from "playwright-core"
import { graphql, type RunningSite, startSite } from "../utils/App.js"
import * as FakeSite from "../utils/FakeSite.js"
import { browser, offlinePage } from "./Chromium.js"

// A newcomer's first hour, through the status page alone (no curl, no GraphiQL): two real syncwatch
// instances paired from their pages at a laptop's and a phone's size, each screen checked for sideways
// scroll and by axe-core (no serious or critical violation, light and dark); and every bad input refused at
// its field with nothing written.

const GUARD = 30_000
const ROOT = join(import.meta.dirname, "..", "..")
// every run writes test-results/; UPDATE_SCREENSHOTS=1 refreshes the README's copies in docs/
const SHOTS = process.env["UPDATE_SCREENSHOTS"] === "1" ? join(ROOT, "docs") : join(ROOT, "test-results")
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 }
] as const
type Size = (typeof SIZES)[number]

const COUNT = `{ connections { uuid } }`
const stored = (site: RunningSite) =>
  Effect.map(
    graphql(site.graphqlUrl, COUNT),
    (result) => (result.data?.["connections"] as Array<unknown> | undefined)?.length ?? -1
  )

const promise = <A>(run: () => Promise<A>) => Effect.promise(run)

const open = (chromium: Browser, site: RunningSite, size: Size) =>
  Effect.gen(function* () {
    const opened = yield* offlinePage(chromium, site.siteUrl)
    yield* promise(() => opened.page.setViewportSize(size))
    yield* promise(() => opened.page.goto(`${site.siteUrl}/`))
    yield* promise(() => opened.page.locator(`[data-link="live"]`).waitFor({ timeout: GUARD }))
    return opened
  })

const click = (page: Page, name: string) =>
  promise(() => page.getByRole("button", { name, exact: true }).click({ timeout: GUARD }))
const fill = (page: Page, label: string, value: string) =>
  promise(() => page.getByLabel(label, { exact: true }).fill(value, { timeout: GUARD }))
const waitFor = (page: Page, selector: string) =>
  promise(() => page.locator(selector).first().waitFor({ timeout: GUARD }))
const textOf = (page: Page, selector: string) =>
  promise(async () => (await page.locator(selector).first().textContent({ timeout: GUARD })) ?? "")

// the screen as it is now: no sideways scroll, and axe-core finds nothing serious, in light and dark
const fits = (page: Page, what: string) =>
  Effect.gen(function* () {
    for (const colorScheme of ["light", "dark"] as const) {
      yield* promise(() => page.emulateMedia({ colorScheme }))
      const { scrollWidth, innerWidth } = yield* promise(() =>
        page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
      )
      assert.isAtMost(scrollWidth, innerWidth, `${what} (${colorScheme}): ${scrollWidth} px wide in ${innerWidth}`)
      const violations = yield* promise(async () => {
        if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE)
        return page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<any> }> } }).axe
          const { violations } = await axe.run()
          return violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n: { target: unknown }) => JSON.stringify(n.target)).join(", ")}`)
        })
      })
      assert.deepStrictEqual(violations, [], `${what} (${colorScheme})`)
    }
    yield* promise(() => page.emulateMedia({ colorScheme: "light" }))
  })

const shoot = (page: Page, name: string) =>
  promise(async () => {
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: join(SHOTS, name), fullPage: true })
  })

const row = (name: string) => `tr:has(.name:text-is("${name}"))`

const pairing = (size: Size) =>
  Effect.gen(function* () {
    const chromium = yield* browser
    const refusing = yield* FakeSite.make(
      FakeSite.json(200, { enabled: true, incoming_mode: "deny_all", password_required: false })
    )
    const guarded = yield* FakeSite.make((request) =>
      request.path.endsWith("/status")
        ? FakeSite.json(200, { enabled: true, incoming_mode: "require_password", password_required: true })
        : FakeSite.json(401, { success: false, error: "Invalid password" })
    )
    const scopeA = yield* Scope.make()
    const a = yield* startSite({}).pipe(Scope.extend(scopeA))
    const b = yield* startSite({})
    const pageA = yield* open(chromium, a, size)
    const pageB = yield* open(chromium, b, size)

    // the empty page says what to do first, with the two buttons
    yield* waitFor(pageA.page, `text=No connections yet`)
    assert.include(yield* textOf(pageA.page, ".empty"), "Let a site connect")
    yield* fits(pageA.page, "the empty page")

    // a remote that refuses: said at the site's field, and nothing written
    yield* click(pageA.page, "Let a site connect")
    yield* fill(pageA.page, "The site's name", "Refusing shop")
    yield* fill(pageA.page, "The site's address", refusing.url)
    yield* click(pageA.page, "Make the token")
    yield* waitFor(pageA.page, "#connect-site-error")
    assert.include(yield* textOf(pageA.page, "#connect-site-error"), "refuses new connections")
    assert.strictEqual(yield* stored(a), 0)
    yield* fits(pageA.page, "a refused field")

    // a site that asks for a password: asked for at its field; a wrong one is the site's refusal, said at the
    // address, and the sender made for it is gone again
    yield* fill(pageA.page, "The site's name", "Guarded shop")
    yield* fill(pageA.page, "The site's address", guarded.url)
    yield* click(pageA.page, "Make the token")
    yield* waitFor(pageA.page, `#connect-password-error:has-text("asks for its connection password")`)
    yield* fill(pageA.page, "The site's connection password (when it asks for one)", "not-the-password")
    yield* click(pageA.page, "Make the token")
    yield* waitFor(pageA.page, `#connect-site-error:has-text("refused the connection: Invalid password (HTTP 401)")`)
    assert.strictEqual(yield* stored(a), 0)

    // "Let a site connect" on A: the token is shown once, with a copy button
    yield* fill(pageA.page, "The site's name", "Site B")
    yield* fill(pageA.page, "The site's address", b.siteUrl)
    yield* promise(() => pageA.page.getByLabel(/Tell the site now/).uncheck())
    yield* click(pageA.page, "Make the token")
    yield* waitFor(pageA.page, "#made-token")
    assert.include(yield* textOf(pageA.page, ".token-once"), "It will not be shown again")
    const token = yield* promise(() => pageA.page.locator("#made-token").inputValue())
    assert.isAtLeast(token.length, 32)
    yield* promise(() =>
      pageA.page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: a.siteUrl })
    )
    yield* click(pageA.page, "Copy")
    yield* waitFor(pageA.page, `.token-once [role="status"]:text-is("Copied.")`)
    assert.strictEqual(yield* promise(() => pageA.page.evaluate(() => navigator.clipboard.readText())), token)
    yield* fits(pageA.page, "the token shown once")
    yield* click(pageA.page, "I have copied it, close")
    assert.strictEqual(yield* promise(() => pageA.page.locator("#made-token").count()), 0)
    yield* waitFor(pageA.page, `${row("Site B")} td[data-column="status"]:has-text("PENDING")`)

    // "Watch a site" on B with A's address and the token: checked at once; A's pending sender is activated by
    // B's first question (the sync API's rule), and both pages show it
    yield* click(pageB.page, "Watch a site")
    yield* fill(pageB.page, "The site's address", a.siteUrl)
    yield* fill(pageB.page, "The token it gave you", token)
    yield* fill(pageB.page, "Name (optional)", "Site A")
    yield* click(pageB.page, "Watch this site")
    yield* waitFor(pageB.page, `${row("Site A")}[data-outcome="ACTIVE"]`)
    yield* waitFor(pageA.page, `${row("Site B")} td[data-column="status"]:has-text("ACTIVE")`)

    // A suspends its sender, then activates it again (each a confirm step inside its row or card); B sees both
    yield* click(pageA.page, "Suspend Site B")
    yield* fits(pageA.page, "a confirm step")
    yield* click(pageA.page, "Yes, suspend")
    yield* waitFor(pageA.page, `${row("Site B")} td[data-column="status"]:has-text("SUSPENDED")`)
    yield* click(pageB.page, "Check now: Site A")
    yield* waitFor(pageB.page, `${row("Site A")}[data-outcome="SUSPENDED"]`)
    yield* click(pageA.page, "Activate Site B")
    yield* click(pageA.page, "Yes, activate")
    yield* waitFor(pageA.page, `${row("Site B")} td[data-column="status"]:has-text("ACTIVE")`)
    yield* click(pageB.page, "Check now: Site A")
    yield* waitFor(pageB.page, `${row("Site A")}[data-outcome="ACTIVE"]`)
    yield* fits(pageA.page, "A with its sender")
    yield* fits(pageB.page, "B with its receiver")
    yield* shoot(pageB.page, `status-page-${size.width}.png`)

    // A stops; B's next check says OFFLINE
    yield* Scope.close(scopeA, Exit.void)
    yield* click(pageB.page, "Check now: Site A")
    yield* waitFor(pageB.page, `${row("Site A")}[data-outcome="OFFLINE"]`)
    assert.include(yield* textOf(pageB.page, `${row("Site A")} td[data-column="reason"]`), "refused")
    yield* fits(pageB.page, "B with A offline")

    // rename: too long is refused beside the field; a good name is saved
    yield* click(pageB.page, "Rename Site A")
    yield* fill(pageB.page, "New name for Site A", "y".repeat(10_000))
    yield* click(pageB.page, "Save name")
    yield* waitFor(pageB.page, `.field-error:has-text("at most 200")`)
    yield* fill(pageB.page, "New name for Site A", "Watched site")
    yield* click(pageB.page, "Save name")
    yield* waitFor(pageB.page, row("Watched site"))
    const renamed = yield* graphql(b.graphqlUrl, `{ connections { name } }`)
    assert.deepStrictEqual(renamed.data?.["connections"], [{ name: "Watched site" }])

    // delete: asked first; cancel keeps it, confirm removes it
    yield* click(pageB.page, "Delete Watched site")
    yield* fits(pageB.page, "a delete confirmation")
    yield* click(pageB.page, "Cancel")
    assert.strictEqual(yield* stored(b), 1)
    yield* click(pageB.page, "Delete Watched site")
    yield* click(pageB.page, "Yes, delete")
    yield* waitFor(pageB.page, `text=No connections yet`)
    assert.strictEqual(yield* stored(b), 0)

    for (const { outside, errors } of [pageA, pageB]) {
      assert.deepStrictEqual(outside, [], "requests that left the machine")
      assert.deepStrictEqual(errors, [])
    }
  }).pipe(Effect.scoped)

describe("a newcomer's first hour, in Chromium", () => {
  for (const size of SIZES) {
    it.live(
      `pairs two instances through their pages alone at ${size.width}×${size.height}: connect, watch, activate, ACTIVE, stop, OFFLINE`,
      () => pairing(size),
      { timeout: 240_000 }
    )
  }

  it.live(
    "refuses every bad input at its field, in words, and writes nothing",
    () =>
      Effect.gen(function* () {
        // the default guard: internal addresses are refused
        const site = yield* startSite({ ALLOW_INTERNAL_URLS: "false" })
        const token = "a-token-the-other-site-gave-us-1234"
        const created = yield* graphql(
          site.graphqlUrl,
          `mutation ($input: CreateConnectionInput!) { createConnection(input: $input) { connection { uuid } } }`,
          { input: { name: "Shop", direction: "RECEIVER", siteUrl: "https://shop.example.com", authToken: token } }
        )
        assert.isUndefined(created.errors)
        const { page, outside, errors } = yield* open(yield* browser, site, SIZES[1])
        yield* waitFor(page, row("Shop"))

        const watch = (siteUrl: string, given: string, field: "site" | "token", words: string) =>
          Effect.gen(function* () {
            yield* fill(page, "The site's address", siteUrl)
            yield* fill(page, "The token it gave you", given)
            yield* click(page, "Watch this site")
            yield* waitFor(page, `#watch-${field}-error:has-text("${words}")`)
            assert.strictEqual(
              yield* promise(() => page.locator(`#watch-${field}`).getAttribute("aria-invalid")),
              "true"
            )
            assert.strictEqual(yield* stored(site), 1, `${siteUrl} ${given}: nothing written`)
          })
        yield* click(page, "Watch a site")
        yield* watch("https://other.example.com/admin", "t-1234567890", "site", "without a path")
        yield* watch("https://user:secret@other.example.com", "t-1234567890", "site", "user name and password")
        yield* watch("http://10.1.2.3", "t-1234567890", "site", "This address is refused")
        yield* watch("https://other.example.com", "t-12345 67890\n", "token", "spaces or line breaks")
        yield* watch("https://shop.example.com", "t-1234567890", "site", "already exists")
        yield* watch("https://other.example.com", token, "token", "Another connection already uses this token")
        yield* fits(page, "a form with an error")
        yield* click(page, "Cancel")

        yield* click(page, "Let a site connect")
        yield* fill(page, "The site's name", "x".repeat(10_000))
        yield* fill(page, "The site's address", "https://other.example.com")
        yield* promise(() => page.getByLabel(/Tell the site now/).uncheck())
        yield* click(page, "Make the token")
        yield* waitFor(page, `#connect-name-error:has-text("10000 characters long; at most 200")`)
        assert.strictEqual(yield* stored(site), 1)
        yield* fits(page, "a 10,000-character name refused")
        yield* click(page, "Cancel")

        assert.deepStrictEqual(outside, [], "requests that left the machine")
        assert.deepStrictEqual(errors, [])
      }).pipe(Effect.scoped),
    { timeout: 240_000 }
  )
})
