/**
 * Framing: Twisted's `twisted.protocols.basic` receivers and `FileSender`.
 * @packageDocumentation
 */
export { FileSender, type FileTransform } from "./fileSender.js";
export type { FileSource } from "./fileSources.js";
export {
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  IntNStringReceiver,
} from "./intN.js";
export { LineOnlyReceiver } from "./lineOnlyReceiver.js";
export { LineReceiver } from "./lineReceiver.js";
export { NetstringReceiver } from "./netstring.js";
export { PauseableProtocol } from "./pauseable.js";
export {
  type IStatefulStringProtocol,
  StatefulStringProtocol,
  type StringReceivingProtocol,
} from "./stateful.js";
