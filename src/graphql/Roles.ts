import { type DocumentNode, getOperationAST, Kind, type OperationDefinitionNode, type SelectionSetNode } from "graphql"
import type { Plugin } from "graphql-yoga"
import { Forbidden } from "../Domain/Errors.js"
import type { Role } from "../Domain/Role.js"
import { toGraphQLError } from "./Bridge.js"

export interface RoleContext {
  // from the request's Authorization (graphql-ws: connection_init's authorization); undefined: no known token
  readonly role: Role | undefined
}

// Admin-only queries: remoteSite dials whatever URL its caller passes, so its answers (refused, reset, answered)
// would let a viewer map the network around us. A viewer's other reads call only the sites an admin saved.
const ADMIN_ONLY_FIELDS = new Set(["remoteSite"])

// the root fields an operation selects, through inline fragments and fragment spreads (validation has
// already refused cycles)
const rootFields = (document: DocumentNode, operation: OperationDefinitionNode): Array<string> => {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : []))
  )
  const collect = (set: SelectionSetNode): Array<string> =>
    set.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection.name.value]
      if (selection.kind === Kind.INLINE_FRAGMENT) return collect(selection.selectionSet)
      const fragment = fragments.get(selection.name.value)
      return fragment === undefined ? [] : collect(fragment.selectionSet)
    })
  return collect(operation.selectionSet)
}

// one rule for HTTP, SSE and graphql-ws alike, since every operation is executed by yoga's envelop: a viewer
// runs queries and subscriptions, never a mutation nor an admin-only query. Refused before any resolver
// runs, so nothing changes and nothing is dialled
export const useRoles = (): Plugin<RoleContext> => {
  const forbidden = (error: Forbidden) => ({ errors: [toGraphQLError(error) as Error] })
  const refuse = (role: Role | undefined, operation: string | undefined) =>
    role === "admin" || (role === "viewer" && operation !== "mutation")
      ? undefined
      : forbidden(new Forbidden({ operation: operation ?? "unknown" }))
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const operation = getOperationAST(args.document, args.operationName)
      const refused = refuse(args.contextValue.role, operation?.operation)
      if (refused !== undefined) return setResultAndStopExecution(refused as never)
      if (args.contextValue.role !== "viewer" || operation == null) return
      const field = rootFields(args.document, operation).find((name) => ADMIN_ONLY_FIELDS.has(name))
      if (field !== undefined) {
        setResultAndStopExecution(forbidden(new Forbidden({ operation: operation.operation, field })) as never)
      }
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const refused = refuse(args.contextValue.role, "subscription")
      if (refused !== undefined) setResultAndStopExecution(refused as never)
    }
  }
}
