import { render } from "preact"
import { connect } from "./Api.js"
import { App } from "./App.js"
import "./style.css"

render(<App />, document.getElementById("app")!)
connect()
