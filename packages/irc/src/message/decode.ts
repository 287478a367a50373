/**
 * Decoding a received line's bytes to text.
 * @packageDocumentation
 */

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes one line's bytes: as UTF-8 when they are valid UTF-8, otherwise as latin-1
 * (ISO-8859-1, every byte one character) for that line only. IRC has no declared encoding;
 * most clients send UTF-8 and older ones latin-1 or CP1252, and a bad line must not stop the
 * connection. A BOM is kept, not stripped.
 *
 * @param bytes - the line, without its CRLF.
 * @returns the decoded text.
 *
 * Differences from Twisted: Twisted's `IRCClient.dataReceived` decodes strictly as UTF-8 and
 * raises on invalid bytes.
 */
export function decodeLine(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let out = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      out += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    return out;
  }
}
