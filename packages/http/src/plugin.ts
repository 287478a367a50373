/**
 * `@twisted-ts/http/twist-plugin`: the `twist web` plugin.
 * @packageDocumentation
 */

/** The plugin's name. */
export const PLUGIN_NAME = "web";
