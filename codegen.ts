import type { CodegenConfig } from "@graphql-codegen/cli"

const enumValues = (values: ReadonlyArray<string>) =>
  Object.fromEntries(values.map((value) => [value.toUpperCase(), value.toLowerCase()]))

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "src/graphql/generated/resolvers.ts": {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useTypeImports: true,
        mapperTypeSuffix: "Model",
        enumsAsTypes: true,
        immutableTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: "T | null",
        inputMaybeValue: "T | null | undefined",
        scalars: { DateTime: { input: "string", output: "unknown" } },
        enumValues: {
          Direction: enumValues(["sender", "receiver"]),
          ConnectionStatus: enumValues(["pending", "active", "suspended", "revoked", "expired"]),
          SenderStatus: enumValues([
            "active",
            "suspended",
            "revoked",
            "pending",
            "expired",
            "offline",
            "not_found",
            "error"
          ]),
          VerificationOutcome: enumValues(["exists", "not_found", "offline", "error"]),
          ChangeKind: enumValues(["created", "updated", "deleted"])
        },
        mappers: {
          Connection: "../../Domain/Connection.js#Connection",
          RemoteNotification: "../../Domain/Connection.js#RemoteNotification",
          SenderStatusFetched: "../../Domain/Events.js#SenderStatusFetched",
          ReceiverVerification: "../../Domain/Events.js#ReceiverVerification",
          ReceiverConnectionSevered: "../../Domain/Events.js#ReceiverConnectionSevered",
          StatusRoundCompleted: "../../Domain/Events.js#StatusRoundCompleted",
          ConnectionChange: "../../Domain/Events.js#ConnectionChange"
        }
      }
    }
  }
}

export default config
