// What the menu editor's parts share, in a module of its own so they do not import each other in a circle.
import type { Schemas } from "../../../shared/api/index.ts";

export type ManagedMenu = Schemas["ManagedMenu"];
export type ManagedItem = Schemas["ManagedMenuItem"];
/** Runs a change, reloads the menu and says what happened; false when the API refused. */
export type Run = (action: () => Promise<unknown>, done: string) => Promise<boolean>;
