import { EnvelopArmor } from "@escape.tech/graphql-armor"
import { Config, Duration, Effect, Stream } from "effect"
import {
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLError,
  getOperationAST,
  Kind,
  type ValidationContext
} from "graphql"
import { createGraphQLError, type Plugin } from "graphql-yoga"
import { Connections } from "../Connections.js"
import * as Setting from "../Setting.js"
import type { Bridge, Operation } from "./Bridge.js"
import * as Cost from "./Cost.js"

// Query limits: GraphQL Armor's refuse a document by its shape, each with a validation error whose
// extensions.code names the limit; the cost (Cost.ts) refuses an operation before it runs, and the budget
// stops one that runs too long or answers too much.

const limit = (name: string, fallback: number, unit: string) =>
  Setting.integer(name, { min: 1, unit }).pipe(Config.withDefault(fallback))

export const settings = Effect.all({
  maxAliases: limit("GRAPHQL_MAX_ALIASES", 50, "aliases"),
  maxDepth: limit("GRAPHQL_MAX_DEPTH", 8, "levels"),
  maxTokens: limit("GRAPHQL_MAX_TOKENS", 1000, "tokens"),
  maxDirectives: limit("GRAPHQL_MAX_DIRECTIVES", 50, "directives"),
  maxCost: limit("GRAPHQL_MAX_COST", 5_000_000, "cost units"),
  expensiveFieldCost: limit("GRAPHQL_EXPENSIVE_FIELD_COST", 2_000_000, "cost units"),
  timeoutMs: limit("GRAPHQL_OPERATION_TIMEOUT_MS", 60_000, "milliseconds"),
  maxResultBytes: limit("GRAPHQL_MAX_RESULT_BYTES", 16 * 1024 * 1024, "bytes")
})
export type Settings = Effect.Effect.Success<typeof settings>

// armor's error carries its own text; ours adds the code. Mutated in place: armor throws that very error.
const coded = (code: string) => (_context: ValidationContext | null, error: GraphQLError) => {
  Object.assign(error.extensions, { code })
}

export const plugins = (limits: Settings, options: { readonly blockSuggestions: boolean }) =>
  new EnvelopArmor({
    maxAliases: { n: limits.maxAliases, onReject: [coded("MaxAliasesExceeded")] },
    maxDepth: { n: limits.maxDepth, onReject: [coded("MaxDepthExceeded")] },
    maxTokens: { n: limits.maxTokens, onReject: [coded("MaxTokensExceeded")] },
    maxDirectives: { n: limits.maxDirectives, onReject: [coded("MaxDirectivesExceeded")] },
    // the cost is ours: armor's counts a list's selection once, whatever its length
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockSuggestions }
  }).protect().plugins

// How many connections the registry holds, for the cost of a list without a size argument: kept current
// from the change feed, so computing a cost reads no store. Read in the background: the server does not wait
// for it to start (until then, and should the store not answer, the changes alone are counted).
export const registrySize = Effect.gen(function* () {
  const connections = yield* Connections
  const uuids = new Set<string>()
  yield* Effect.gen(function* () {
    const changes = yield* connections.subscribe
    for (const connection of yield* connections.list()) uuids.add(connection.uuid)
    yield* Stream.fromQueue(changes).pipe(
      Stream.runForEach((change) =>
        Effect.sync(() =>
          change.connection === null ? uuids.delete(change.connectionUuid) : uuids.add(change.connectionUuid)
        )
      )
    )
  }).pipe(
    Effect.scoped,
    Effect.catchAllCause((cause) =>
      Effect.logWarning("GraphQL: the registry's size for query costs is not known", cause)
    ),
    Effect.forkScoped
  )
  return () => uuids.size
})

const refused = (code: string, message: string): ExecutionResult => ({
  errors: [createGraphQLError(message, { extensions: { code } })]
})

// the characters of the result's JSON, counted until past `limit`
const sizeOver = (value: unknown, limit: number): number => {
  let size = 0
  const walk = (value: unknown): void => {
    if (size > limit) return
    if (typeof value === "string") size += value.length + 2
    else if (value === null || typeof value !== "object") size += String(value).length
    else if (Array.isArray(value)) {
      size += 1 + value.length
      for (const item of value) walk(item)
    } else {
      size += 1
      for (const key in value) {
        size += key.length + 4
        walk((value as Record<string, unknown>)[key])
      }
    }
  }
  walk(value)
  return size
}

// Each operation's cost, refused before it runs; a query or mutation's time and result size. A subscription
// is refused by the cost of one event, and lives as long as its client.
export const useBudget = (limits: Settings, bridge: Bridge, registry: () => number): Plugin => {
  const costOf = (args: ExecutionArgs) => {
    const operation = getOperationAST(args.document, args.operationName)
    if (operation == null) return 0
    const fragments: Record<string, FragmentDefinitionNode> = {}
    for (const definition of args.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition
    }
    return Cost.operationCost(args.schema, operation, fragments, args.variableValues ?? {}, {
      expensiveFieldCost: limits.expensiveFieldCost,
      registrySize: registry()
    })
  }
  const overCost = (cost: number) =>
    refused("CostLimitExceeded", `Query Cost limit of ${limits.maxCost} exceeded, found ${cost}.`)

  return {
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const cost = costOf(args)
      if (cost > limits.maxCost) setResultAndStopExecution(overCost(cost))
    },
    onExecute: ({ args, executeFn, setExecuteFn, setResultAndStopExecution, extendContext }) => {
      const cost = costOf(args)
      if (cost > limits.maxCost) return setResultAndStopExecution(overCost(cost))
      const context = args.contextValue as unknown as Operation
      // the budget ends the operation as the client's leaving does: its resolvers' fibers are interrupted
      // (the bridge listens on this signal) and the executor stops
      const budget = new AbortController()
      const signal = AbortSignal.any([context.request.signal, budget.signal])
      extendContext({ signal } as never)
      ;(args as { signal?: AbortSignal }).signal = signal
      const overTime = refused(
        "OperationTimeout",
        `the operation ran past its budget of ${limits.timeoutMs} ms (GRAPHQL_OPERATION_TIMEOUT_MS)`
      )
      setExecuteFn(async (executionArgs) => {
        const timer = bridge.fork(
          Effect.zipRight(
            Effect.sleep(Duration.millis(limits.timeoutMs)),
            Effect.sync(() => budget.abort())
          ),
          context.runtime
        )
        try {
          const result = (await executeFn({ ...executionArgs, signal } as never)) as ExecutionResult
          if (budget.signal.aborted) return overTime
          return sizeOver(result.data, limits.maxResultBytes) > limits.maxResultBytes
            ? refused(
                "ResultTooLarge",
                `the result is over ${limits.maxResultBytes} bytes (GRAPHQL_MAX_RESULT_BYTES): select fewer fields or pass a smaller limit`
              )
            : result
        } catch (error) {
          if (budget.signal.aborted) return overTime
          throw error
        } finally {
          timer.unsafeInterruptAsFork(timer.id())
        }
      })
    }
  }
}
