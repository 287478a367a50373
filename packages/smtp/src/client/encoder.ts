/**
 * `DataEncoder`: line-ending normalisation and dot-stuffing of a message body for DATA.
 * @packageDocumentation
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF = Buffer.from("\r\n");

/**
 * Turns a message body, fed in chunks of any size, into what goes on the wire after DATA (or in
 * BDAT chunks): every line ending, whether CRLF, a bare LF or a bare CR, becomes CRLF; with
 * `stuffDots`, a line starting with "." gets a second one (RFC 5321 §4.5.2), the first line and
 * lines split across chunks included. `end()` adds a final CRLF when the body does not end with
 * one, then the terminator `.` CRLF (DATA only).
 *
 * The encoder keeps two bits of state between chunks (at the start of a line; the last byte was
 * a CR), so the output never depends on how the body was cut.
 *
 * Differences from Twisted: Twisted's `SMTPClient.transformChunk` misses a dot on the first line
 * and at a chunk boundary, and turns CRLF into CR CR LF (verified on Twisted 22.4); this
 * encoder does neither. Bare CRs are normalised too, so the body can never hold the
 * `<LF>.<LF>`-style sequences used for SMTP smuggling.
 */
export class DataEncoder {
  /** Whether the next byte starts a line. */
  private atLineStart = true;
  /** Whether the last byte was a CR (already written as CRLF). */
  private afterCR = false;
  /** How many bytes `encode` and `end` have produced so far. */
  written = 0;

  /** @param stuffDots - double a leading "." (true for DATA, false for BDAT). */
  constructor(readonly stuffDots = true) {}

  /**
   * Encode one chunk.
   * @param chunk - the next bytes of the body.
   * @returns the bytes to send (possibly empty).
   */
  encode(chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte === LF) {
        if (this.afterCR) {
          this.afterCR = false;
          continue;
        }
        out[n++] = CR;
        out[n++] = LF;
        this.atLineStart = true;
      } else if (byte === CR) {
        out[n++] = CR;
        out[n++] = LF;
        this.afterCR = true;
        this.atLineStart = true;
      } else {
        this.afterCR = false;
        if (this.atLineStart && byte === DOT && this.stuffDots) out[n++] = DOT;
        this.atLineStart = false;
        out[n++] = byte;
      }
    }
    this.written += n;
    return out.subarray(0, n);
  }

  /**
   * The end of the body: a CRLF when the body does not end with a line ending (an empty body
   * gets none), then, with `stuffDots`, the terminator `.` CRLF.
   * @returns the bytes to send.
   */
  end(): Buffer {
    const tail = this.atLineStart ? Buffer.alloc(0) : CRLF;
    this.atLineStart = true;
    this.afterCR = false;
    const out = this.stuffDots ? Buffer.concat([tail, Buffer.from(".\r\n")]) : Buffer.from(tail);
    this.written += out.length;
    return out;
  }
}

/**
 * A message body as the server stores it: line endings made CRLF (CR, LF and CRLF alike) and a
 * final CRLF added when missing, as {@link DataEncoder} sends it (before dot-stuffing).
 * @param body - the body.
 * @returns the normalised body.
 */
export function normalizeLineEndings(body: Uint8Array): Buffer {
  const encoder = new DataEncoder(false);
  return Buffer.concat([encoder.encode(body), encoder.end()]);
}

/**
 * Whether bytes hold anything outside 7-bit ASCII (then BODY=8BITMIME is declared).
 * @param body - the bytes.
 */
export function has8BitBytes(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) if ((body[i] as number) > 0x7f) return true;
  return false;
}
