import { createRequire } from "node:module"
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLError } from "graphql"
import type { Plugin } from "graphql-yoga"

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

const serialise = (mask: Mask, result: ExecutionResult): Buffer => {
  const { errors, ...rest } = result
  return Buffer.from(JSON.stringify(errors === undefined ? rest : { ...rest, errors: errors.map(mask) }))
}

const run = (selection: Selection, mask: Mask, event: unknown): Encoded => {
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
