/**
 * `@twisted-ts/smtp/twist-plugin`: the `twist mail` plugin.
 * @packageDocumentation
 */

/** The plugin's name. */
export const PLUGIN_NAME = "mail";
