/**
 * `LineLog`: the last lines of an SMTP session, kept for error reports.
 * @packageDocumentation
 */

/**
 * A fixed-size log of the last lines exchanged (`>>> ` for sent, `<<< ` for received), put in
 * every client error. Twisted's `twisted.python.util.LineLog`.
 */
export class LineLog {
  private readonly lines: string[] = [];

  /** @param size - how many lines are kept (the oldest go first); 10 by default. */
  constructor(readonly size = 10) {}

  /**
   * Add a line, dropping the oldest when full.
   * @param line - the line.
   */
  append(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
  }

  /** @returns the kept lines, oldest first. */
  getLines(): readonly string[] {
    return this.lines;
  }

  /** @returns the kept lines joined with "\n". */
  str(): string {
    return this.lines.join("\n");
  }

  /** @returns the same as `str()`. */
  toString(): string {
    return this.str();
  }

  /** Forget every line. */
  clear(): void {
    this.lines.length = 0;
  }
}
