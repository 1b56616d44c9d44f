import { getOperationAST } from "graphql"
import type { Plugin } from "graphql-yoga"
import { Forbidden } from "../Domain/Errors.js"
import type { Role } from "../Domain/Role.js"
import { toGraphQLError } from "./Bridge.js"

export interface RoleContext {
  // from the request's Authorization (graphql-ws: connection_init's authorization); undefined: no known token
  readonly role: Role | undefined
}

// one rule for HTTP, SSE and graphql-ws alike, since every operation is executed by yoga's envelop: a viewer
// runs queries and subscriptions, never a mutation. Refused before any resolver runs, so nothing changes
export const useRoles = (): Plugin<RoleContext> => {
  const refuse = (role: Role | undefined, operation: string | undefined) =>
    role === "admin" || (role === "viewer" && operation !== "mutation")
      ? undefined
      : { errors: [toGraphQLError(new Forbidden({ operation: operation ?? "unknown" })) as Error] }
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const refused = refuse(args.contextValue.role, getOperationAST(args.document, args.operationName)?.operation)
      if (refused !== undefined) setResultAndStopExecution(refused as never)
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const refused = refuse(args.contextValue.role, "subscription")
      if (refused !== undefined) setResultAndStopExecution(refused as never)
    }
  }
}
