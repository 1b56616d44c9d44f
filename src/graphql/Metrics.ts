import { type DocumentNode, getOperationAST, Kind } from "graphql"
import { isAsyncIterable, type Plugin } from "graphql-yoga"
import * as Metrics from "../Metrics.js"

// the root field, not the client's operation name: the schema bounds the first, the client the second
const rootField = (document: DocumentNode, operationName: string | null | undefined): string => {
  const first = getOperationAST(document, operationName)?.selectionSet.selections[0]
  return first?.kind === Kind.FIELD ? first.name.value : "unknown"
}

const hasErrors = (result: unknown): boolean =>
  typeof result === "object" && result !== null && "errors" in result && Array.isArray(result.errors)
    ? result.errors.length > 0
    : false

// operations by type and whether they had errors; open subscriptions by root field
export const useMetrics = (): Plugin => ({
  // refused before it ran (validation): an operation with errors all the same
  onValidate: ({ params }) => {
    const type = getOperationAST(params.documentAST)?.operation ?? "unknown"
    return ({ valid }) => {
      if (!valid) Metrics.graphqlOperation(type, true)
    }
  },
  onExecute: ({ args }) => {
    const type = getOperationAST(args.document, args.operationName)?.operation ?? "unknown"
    return {
      onExecuteDone: ({ result }) => {
        if (!isAsyncIterable(result)) Metrics.graphqlOperation(type, hasErrors(result))
      }
    }
  },
  onSubscribe: ({ args }) => ({
    onSubscribeResult: ({ result }) => {
      if (!isAsyncIterable(result)) {
        Metrics.graphqlOperation("subscription", true)
        return
      }
      Metrics.graphqlOperation("subscription", false)
      const operation = rootField(args.document, args.operationName)
      Metrics.subscriberOpened(operation)
      return { onEnd: () => Metrics.subscriberClosed(operation) }
    }
  })
})
