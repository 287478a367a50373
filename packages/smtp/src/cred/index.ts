/**
 * A small credentials framework after `twisted.cred`: credentials, checkers, a portal and realms.
 * @packageDocumentation
 */
export {
  AllowAnonymousAccess,
  ANONYMOUS,
  type AvatarId,
  type ICredentialsChecker,
  InMemoryUsernamePasswordDatabaseDontUse,
} from "./checkers.js";
export {
  Anonymous,
  CramMD5Credentials,
  type ICredentials,
  type IUsernameHashedPassword,
  type IUsernamePassword,
  UsernamePassword,
} from "./credentials.js";
export {
  CredError,
  UnauthorizedLogin,
  UnhandledCredentials,
  UnsupportedInterface,
} from "./errors.js";
export { type IRealm, type LoginResult, Portal } from "./portal.js";
