import { fileURLToPath } from "node:url";

/** Folders shipped with the package, resolved from this file so the working directory never matters. */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const LOCALES_DIR = fileURLToPath(new URL("../locales", import.meta.url));
