/**
 * `StatefulStringProtocol`: one handler per protocol state, for string receivers.
 * @packageDocumentation
 */
import { Logger, type Protocol } from "@twisted-ts/core";

const log = new Logger({ namespace: "twisted-ts.protocols.basic" });

/** A protocol that receives strings: a `NetstringReceiver` or an `IntNStringReceiver`. */
export type StringReceivingProtocol = Protocol & {
  /** Called with each string received. */
  stringReceived(string: Buffer): void;
};

/** What `StatefulStringProtocol` adds to the class it extends. */
export interface IStatefulStringProtocol {
  /**
   * The current state: the next string goes to the method named `proto_<state>`. `"init"` at
   * first; `"done"` closes the connection.
   */
  state: string;
}

/**
 * Make a string receiver dispatch each string to a method chosen by its state: Twisted's
 * `StatefulStringProtocol` mixin. The string goes to `proto_<state>(string)`, starting with
 * `proto_init`, and the method returns the next state. When it returns `"done"`, the connection
 * is closed. A state without a method is logged and the string dropped.
 *
 * ```ts
 * class Login extends StatefulStringProtocol(Int32StringReceiver) {
 *   proto_init(name: Buffer): string {
 *     this.sendString("password?");
 *     return "password";
 *   }
 *   proto_password(password: Buffer): string {
 *     this.sendString(check(password) ? "welcome" : "denied");
 *     return "done";
 *   }
 * }
 * ```
 *
 * Differences from Twisted: a mixin function (`StatefulStringProtocol(Base)`) where Twisted uses
 * multiple inheritance; a handler that returns something other than a string leaves the next
 * string without a handler (logged), where Python raises `TypeError`.
 *
 * @param Base - the string receiver class to extend.
 * @returns a subclass of `Base` whose `stringReceived` dispatches by `state`.
 */
export function StatefulStringProtocol<T extends StringReceivingProtocol, A extends unknown[]>(
  Base: new (...args: A) => T,
): new (
  ...args: A
) => T & IStatefulStringProtocol {
  const Parent = Base as unknown as new (...args: unknown[]) => StringReceivingProtocol;
  class Stateful extends Parent implements IStatefulStringProtocol {
    state = "init";

    override stringReceived(string: Buffer): void {
      const handler = (this as unknown as Record<string, unknown>)[`proto_${this.state}`];
      if (typeof handler !== "function") {
        log.info("callback {state} not found", { state: this.state, protocol: this.logPrefix() });
        return;
      }
      this.state = handler.call(this, string) as string;
      if (this.state === "done") this.transport?.loseConnection();
    }
  }
  return Stateful as unknown as new (
    ...args: A
  ) => T & IStatefulStringProtocol;
}
