/**
 * The SMTP server: `SMTP`, `ESMTP`, `LMTP`, their factories, the delivery interfaces, Maildir
 * delivery, the SASL mechanisms, and the small credentials framework they log in through.
 * @packageDocumentation
 */
export * from "../cred/index.js";
export { SMTPAddressError, SMTPBadRcpt, SMTPBadSender, SMTPServerError } from "../errors.js";
export { ESMTP } from "./esmtp.js";
export {
  ESMTPFactory,
  type ESMTPFactoryOptions,
  LMTPFactory,
  SMTPFactory,
  type SMTPFactoryOptions,
  type SMTPLimits,
} from "./factory.js";
export type {
  Helo,
  IMessage,
  IMessageDelivery,
  IMessageDeliveryFactory,
  MailParameters,
  MessageFactory,
  OriginalRecipient,
  RcptParameters,
} from "./interfaces.js";
export { LMTP } from "./lmtp.js";
export {
  ensureMaildir,
  MaildirDelivery,
  type MaildirDeliveryOptions,
  MaildirMessage,
  type MaildirMessageOptions,
  MaildirRealm,
} from "./maildir.js";
export {
  decodeXtext,
  mailParameters,
  type PathArgument,
  rcptParameters,
  splitPath,
} from "./params.js";
export { type ReaderMode, ReadResult, type ReadResultCode, SMTPReader } from "./reader.js";
export {
  type ChallengerFactory,
  CramMD5Credentials,
  DEFAULT_CHALLENGERS,
  type IChallengeResponse,
  LOGINCredentials,
  PLAINCredentials,
} from "./sasl.js";
export { MailService, type MailServiceOptions } from "./service.js";
export {
  type CommandHandler,
  type CommandResult,
  DNSNAME,
  defaultEnhanced,
  defaultReceivedHeader,
  rfc822date,
  SMTP,
  type SMTPMode,
} from "./smtp.js";
