import { EnvelopArmor } from "@escape.tech/graphql-armor"
import { Config, Effect } from "effect"
import { type GraphQLError, Kind, type ValidationContext, visit } from "graphql"
import { createGraphQLError } from "graphql-yoga"

// Query limits by GraphQL Armor. Each refusal is a validation error whose extensions.code names the limit.

// each one runs a whole round of checks against other sites, whatever its selection costs
export const EXPENSIVE_FIELDS: ReadonlySet<string> = new Set(["senderStatuses", "verifyReceiverConnections"])

const limit = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be an integer > 0`, validation: (n) => n > 0 }),
    Config.withDefault(fallback)
  )

export const settings = Effect.all({
  maxAliases: limit("GRAPHQL_MAX_ALIASES", 50),
  maxDepth: limit("GRAPHQL_MAX_DEPTH", 8),
  maxTokens: limit("GRAPHQL_MAX_TOKENS", 1000),
  maxDirectives: limit("GRAPHQL_MAX_DIRECTIVES", 50),
  maxCost: limit("GRAPHQL_MAX_COST", 5000),
  expensiveFieldCost: limit("GRAPHQL_EXPENSIVE_FIELD_COST", 2000)
})
export type Settings = Effect.Effect.Success<typeof settings>

// armor's error carries its own text; ours adds the code. Mutated in place: armor throws that very error.
const coded = (code: string) => (_context: ValidationContext | null, error: GraphQLError) => {
  Object.assign(error.extensions, { code })
}

const expensiveFields = (context: ValidationContext): number => {
  let count = 0
  visit(context.getDocument(), {
    [Kind.FIELD]: (field) => {
      if (EXPENSIVE_FIELDS.has(field.name.value)) count++
    }
  })
  return count
}

// armor's cost counts fields; on top of it each expensive field weighs expensiveFieldCost
const expensive = (limits: Settings) => (context: ValidationContext | null, details: { readonly n: number }) => {
  if (context === null) return
  const cost = details.n + expensiveFields(context) * limits.expensiveFieldCost
  if (cost > limits.maxCost) {
    context.reportError(
      createGraphQLError(`Query Cost limit of ${limits.maxCost} exceeded, found ${cost}.`, {
        extensions: { code: "CostLimitExceeded" }
      })
    )
  }
}

export const plugins = (limits: Settings, options: { readonly blockSuggestions: boolean }) =>
  new EnvelopArmor({
    maxAliases: { n: limits.maxAliases, onReject: [coded("MaxAliasesExceeded")] },
    maxDepth: { n: limits.maxDepth, onReject: [coded("MaxDepthExceeded")] },
    maxTokens: { n: limits.maxTokens, onReject: [coded("MaxTokensExceeded")] },
    maxDirectives: { n: limits.maxDirectives, onReject: [coded("MaxDirectivesExceeded")] },
    costLimit: { maxCost: limits.maxCost, onReject: [coded("CostLimitExceeded")], onAccept: [expensive(limits)] },
    blockFieldSuggestion: { enabled: options.blockSuggestions }
  }).protect().plugins
