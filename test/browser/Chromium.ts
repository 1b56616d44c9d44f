import { Effect } from "effect"
import { type Browser, chromium } from "playwright-core"

// Debian's Chromium driven by playwright-core, with the network closed: every request that is not to the
// site under test is refused and recorded, so a CDN asset (or any other call out) shows up in `outside`.

const EXECUTABLE = "/usr/bin/chromium"
const FLAGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-gpu",
  "--disable-quic"
]

export const browser = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => chromium.launch({ executablePath: EXECUTABLE, args: FLAGS }),
    catch: (cause) =>
      new Error(
        `could not start a browser at ${EXECUTABLE} (install it: apt-get install -y chromium; .ci/run does): ${String(cause)}`
      )
  }),
  (browser: Browser) => Effect.promise(() => browser.close())
)

export const offlinePage = (browser: Browser, origin: string) =>
  Effect.gen(function* () {
    const outside: Array<string> = []
    // every request the page makes, WebSockets included
    const requested: Array<string> = []
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
    context.on("request", (request) => requested.push(request.url()))
    const page = yield* Effect.promise(() => context.newPage())
    page.on("websocket", (socket) => requested.push(socket.url()))
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    return { page, outside, requested, errors }
  })
