/**
 * The SMTP client: `SMTPClient`, `ESMTPClient`, the sender factories and `sendmail`.
 * @packageDocumentation
 */
export {
  AUTHDeclinedError,
  AUTHRequiredError,
  AuthenticationError,
  EHLORequiredError,
  ESMTPClientError,
  SMTPClientError,
  type SMTPClientErrorOptions,
  SMTPConnectError,
  SMTPDeliveryError,
  SMTPProtocolError,
  SMTPTimeoutError,
  SMTPTLSError,
  SMTPUTF8RequiredError,
  TLSRequiredError,
} from "../errors.js";
export {
  CramMD5ClientAuthenticator,
  type IClientAuthentication,
  LOGINAuthenticator,
  PLAINAuthenticator,
} from "./authenticators.js";
export { type BdatHooks, BdatTransfer } from "./bdat.js";
export { DataEncoder, has8BitBytes, normalizeLineEndings } from "./encoder.js";
export { ESMTPClient, isSecureTransport } from "./esmtpClient.js";
export { LineLog } from "./lineLog.js";
export {
  describeMessage,
  type MessageData,
  type MessageInfo,
  type MessageInput,
  RewindableMessage,
} from "./message.js";
export { PipelinedTransaction, type PipelineOutcome } from "./pipelining.js";
export { isAscii, quoteaddr, type RecipientResult } from "./quote.js";
export {
  ESMTPSender,
  ESMTPSenderFactory,
  type ESMTPSenderFactoryOptions,
  type SenderFactoryOptions,
  type SenderProtocol,
  type SendResult,
  SMTPSender,
  SMTPSenderFactory,
} from "./senders.js";
export { type SendmailOptions, sendmail } from "./sendmail.js";
export { type ReplyHandler, SMTPClient, SUCCESS } from "./smtpClient.js";
