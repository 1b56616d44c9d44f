import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Layer } from "effect"
import { ServerLive } from "./Server.js"

ServerLive.pipe(Layer.launch, NodeRuntime.runMain)
