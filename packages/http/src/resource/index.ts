/**
 * The resource tree's base classes.
 * @packageDocumentation
 */

export {
  computeAllowedMethods,
  ErrorPage,
  escapeHTML,
  ForbiddenResource,
  NoResource,
  Resource,
} from "./resource.js";
