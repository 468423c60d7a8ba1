import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.js";
import * as actions from "./actions/index.js";
import * as commands from "./commands/index.js";
import * as events from "./events/index.js";
import * as views from "./views/index.js";

/** Mounts every listener kind, in one place. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  actions.register(app, deps);
  commands.register(app, deps);
  events.register(app, deps);
  views.register(app, deps);
}
