/**
 * `Failure`: a thrown value, wrapped so it can travel down a Deferred's errback chain.
 * @packageDocumentation
 */

/** Any class (constructor) that a Failure can be matched against with `trap` or `check`. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature are matched by instanceof.
export type ErrorType = abstract new (...args: any[]) => unknown;

const FAILURE_BRAND = Symbol.for("twisted-ts.Failure");

function constructorOf(value: unknown): Function {
  switch (typeof value) {
    case "string":
      return String;
    case "number":
      return Number;
    case "boolean":
      return Boolean;
    case "bigint":
      return BigInt;
    case "symbol":
      return Symbol;
    case "undefined":
      return Object;
    case "function":
      return Function;
    default:
      if (value === null) return Object;
      return (value as { constructor?: Function }).constructor ?? Object;
  }
}

function matches(value: unknown, type: ErrorType): boolean {
  if (value instanceof type) return true;
  // Primitive values match their wrapper: a thrown "text" is trapped by String.
  return (type as Function) === constructorOf(value) && typeof value !== "object";
}

/**
 * A wrapped error: what an errback receives. Twisted's `twisted.python.failure.Failure`.
 *
 * Any thrown value can be wrapped, including non-Error values (`throw "oops"`). The Failure
 * keeps the value as thrown (`value`), its class (`type`) and a stack trace: the error's own
 * stack for an `Error`, or the stack where the Failure was made otherwise.
 *
 * Differences from Twisted: there are no frame objects to clean (`cleanFailure` does nothing),
 * and `getTraceback()` returns the JavaScript stack.
 *
 * @typeParam E - the type of the wrapped value, when known.
 */
export class Failure<E = unknown> {
  /** The wrapped value, exactly as it was thrown. */
  readonly value: E;
  /** The class of `value` (its constructor, or the wrapper class of a primitive). */
  readonly type: Function;
  /** Stack captured where a non-Error value was wrapped; an Error carries its own. */
  private readonly capturedStack: string | undefined;
  /** Brand that lets `Failure.isFailure` recognise a Failure made by another copy of the package. */
  declare readonly [FAILURE_BRAND]: true;

  /**
   * @param value - the thrown value to wrap. A Failure passed here is not wrapped again: use
   *   `Failure.from` to get the same Failure back.
   */
  constructor(value: E) {
    this.value = value;
    this.type = constructorOf(value);
    if (value instanceof Error) {
      this.capturedStack = undefined;
    } else {
      const holder: { stack?: string } = {};
      Error.captureStackTrace(holder, Failure);
      this.capturedStack = holder.stack;
    }
    Object.defineProperty(this, FAILURE_BRAND, { value: true });
  }

  /**
   * Wrap a value, or return it if it is already a Failure (of any copy of this package).
   * @param value - the thrown value.
   * @returns a Failure for the value.
   */
  static from(value: unknown): Failure {
    return Failure.isFailure(value) ? value : new Failure(value);
  }

  /**
   * Whether a value is a Failure, made by this or another copy of the package.
   * @param value - anything.
   */
  static isFailure(value: unknown): value is Failure {
    return (
      value instanceof Failure ||
      (typeof value === "object" && value !== null && FAILURE_BRAND in value)
    );
  }

  /**
   * Return the first of `types` that the wrapped value is an instance of, or else rethrow the
   * wrapped value, so an errback can say "I handle only these" and pass anything else on.
   *
   * @param types - the classes this errback handles.
   * @returns the matching class.
   * @throws the wrapped value, when no type matches.
   */
  trap<T extends ErrorType[]>(...types: T): T[number] {
    const found = this.check(...types);
    if (found === null) this.raiseException();
    return found;
  }

  /**
   * Return the first of `types` that the wrapped value is an instance of, or null.
   * @param types - classes to match.
   */
  check<T extends ErrorType[]>(...types: T): T[number] | null {
    for (const type of types) {
      if (matches(this.value, type)) return type;
    }
    return null;
  }

  /** Throw the wrapped value, as it was thrown originally. */
  raiseException(): never {
    throw this.value;
  }

  /** A one-line message: the error's `message`, or the value as a string. */
  getErrorMessage(): string {
    const value: unknown = this.value;
    if (value instanceof Error) return value.message;
    if (typeof value === "object" && value !== null && "message" in value) {
      return String((value as { message: unknown }).message);
    }
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }

  /**
   * The whole stack trace, starting with a `Name: message` line. For a non-Error value, the
   * stack where it was wrapped.
   */
  getTraceback(): string {
    const value: unknown = this.value;
    if (value instanceof Error && typeof value.stack === "string") {
      let text = value.stack;
      let cause: unknown = value.cause;
      for (let depth = 0; cause !== undefined && depth < 8; depth++) {
        text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause)}`;
        cause = cause instanceof Error ? cause.cause : undefined;
      }
      return text;
    }
    const head = `${this.type.name || "Error"}: ${this.getErrorMessage()}`;
    const frames = (this.capturedStack ?? "").split("\n").slice(1).join("\n");
    return frames ? `${head}\n${frames}` : head;
  }

  /** Twisted keeps frame objects alive until this is called; here there is nothing to drop. */
  cleanFailure(): void {}

  /** `[Failure Name: message]`. */
  toString(): string {
    return `[Failure ${this.type.name || "Error"}: ${this.getErrorMessage()}]`;
  }
}
