/**
 * The small standard services of `twisted.protocols.wire`, over TCP and UDP: Echo (RFC 862),
 * Discard (RFC 863), Character Generator (RFC 864), Quote of the Day (RFC 865), Active Users
 * (RFC 866), Daytime (RFC 867) and Time (RFC 868).
 * @packageDocumentation
 */
export {
  CHARGEN_LINE_LENGTH,
  CHARGEN_PATTERN_LINES,
  Chargen,
  ChargenUDP,
  chargenBytes,
  chargenLine,
} from "./chargen.js";
export { Discard, DiscardUDP, Echo, EchoUDP, QOTD, QOTDUDP, Who, WhoUDP } from "./simple.js";
export {
  Daytime,
  DaytimeUDP,
  daytimeString,
  RFC868_EPOCH_OFFSET,
  rfc868Bytes,
  rfc868Seconds,
  type SecondsClock,
  Time,
  TimeUDP,
} from "./time.js";
