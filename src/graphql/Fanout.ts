import { createRequire } from "node:module"
import { Chunk, Exit } from "effect"
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLError } from "graphql"
import type { Plugin } from "graphql-yoga"
import * as Metrics from "../Metrics.js"
import type { Source } from "./Bridge.js"

// the copy of graphql that yoga's schema was built with: without an `exports` map, `import` may resolve to its
// ESM files (vitest) while yoga's dependencies load the CommonJS ones, and graphql refuses a schema of the other
const { createSourceEventStream, execute } = createRequire(import.meta.url)("graphql") as typeof import("graphql")

// Subscription results encoded once. Subscribers who share a document, its variables and operation name and a
// role, and receive the same event object (rounds belong to the watcher, changes come from one PubSub), share
// the bytes of its result: the first to see the event executes its selection, the others reuse them.

// what the edge puts in an operation's initial context so that subscribing yields the source events, not results
export interface FanoutContext {
  readonly fanout?: true
}

// subscribing runs the plugins (roles, limits, metrics) as before, but stops at the source stream
export const useFanout = (): Plugin<FanoutContext> => ({
  onSubscribe: ({ args, setSubscribeFn }) => {
    if (args.contextValue.fanout === true) setSubscribeFn(createSourceEventStream as never)
  }
})

export interface Selection {
  readonly key: string
  readonly args: ExecutionArgs
}

export const selection = (
  args: ExecutionArgs & { readonly document: DocumentNode },
  query: string,
  role: string | undefined
): Selection => ({
  key: `${role ?? ""}\n${args.operationName ?? ""}\n${JSON.stringify(args.variableValues ?? null)}\n${query}`,
  args
})

export type Mask = (error: GraphQLError) => GraphQLError

type Encoded = Buffer | Promise<Buffer>
const encodings = new WeakMap<object, Map<string, Encoded>>()

// an error as a client sees it: what yoga sends, without the extensions meant for the server (`http`)
export const errorJson = (error: GraphQLError) => {
  const json = error.toJSON()
  if (json.extensions === undefined) return json
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions
  const { extensions: _, ...rest } = json
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest
}

const serialise = (mask: Mask, result: ExecutionResult): Buffer => {
  const { errors, ...rest } = result
  return Buffer.from(
    JSON.stringify(errors === undefined ? rest : { ...rest, errors: errors.map((error) => errorJson(mask(error))) })
  )
}

const run = (selection: Selection, mask: Mask, event: unknown): Encoded => {
  Metrics.subscriptionEncoded()
  const result = execute({ ...selection.args, rootValue: event })
  return result instanceof Promise
    ? result.then((done) => serialise(mask, done))
    : serialise(mask, result as ExecutionResult)
}

// the `payload` of an event's result for this selection: executed and serialised once per event object
export const encode = (selection: Selection, mask: Mask, event: unknown): Encoded => {
  if (typeof event !== "object" || event === null) return run(selection, mask, event)
  let bySelection = encodings.get(event)
  if (bySelection === undefined) {
    bySelection = new Map()
    encodings.set(event, bySelection)
  }
  let encoded = bySelection.get(selection.key)
  if (encoded === undefined) {
    encoded = run(selection, mask, event)
    bySelection.set(selection.key, encoded)
  }
  return encoded
}

// a result for one connection is replaced by a newer one for the same connection when the reader lags
export const conflationKey = (event: unknown): string | undefined => {
  const uuid =
    typeof event === "object" && event !== null ? (event as { connectionUuid?: unknown }).connectionUuid : undefined
  return typeof uuid === "string" ? uuid : undefined
}

// a subscription whose resolver did not go through the bridge: its AsyncIterable, one event at a time
export const iterated = (iterator: AsyncIterator<unknown>): Source => ({
  listen: (listener) => {
    let left = false
    void (async () => {
      try {
        for (let next = await iterator.next(); !next.done && !left; next = await iterator.next())
          listener.chunk(Chunk.of(next.value))
        if (!left) listener.end(Exit.void)
      } catch (error) {
        if (!left) listener.end(Exit.fail(error))
      }
    })()
    return () => {
      left = true
    }
  }
})

// Each event of a source, encoded once for the selection, handed to one subscriber in order: an event whose
// selection resolves asynchronously holds back the ones after it, and the end waits for them. Returns the leave.
export const deliver = (
  source: Source,
  selection: Selection,
  mask: Mask,
  subscriber: {
    readonly next: (event: unknown, encoded: Buffer) => void
    readonly end: (exit: Exit.Exit<void, unknown>) => void
  }
): (() => void) => {
  let waiting: Promise<void> | undefined
  return source.listen({
    chunk: (events) => {
      for (const event of Chunk.toReadonlyArray(events)) {
        const encoded = encode(selection, mask, event)
        if (waiting === undefined && Buffer.isBuffer(encoded)) subscriber.next(event, encoded)
        else {
          const previous = waiting ?? Promise.resolve()
          const current: Promise<void> = previous
            .then(() => encoded)
            .then((bytes) => subscriber.next(event, bytes))
            .finally(() => {
              if (waiting === current) waiting = undefined
            })
          waiting = current
        }
      }
    },
    end: (exit) => {
      if (waiting === undefined) return subscriber.end(exit)
      void waiting.then(() => subscriber.end(exit))
    }
  })
}
