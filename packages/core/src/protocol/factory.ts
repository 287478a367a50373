/**
 * Factories: `Factory`, `ServerFactory`, `ClientFactory`.
 * @packageDocumentation
 */
import type { IAddress } from "../address.js";
import type { Failure } from "../failure.js";
import type {
  IClientFactory,
  IConnector,
  IProtocol,
  IProtocolFactory,
} from "../interfaces/protocol.js";
import { Logger } from "../logger/index.js";
import type { ProtocolClass } from "./protocol.js";

const log = new Logger({ namespace: "twisted-ts.internet.protocol" });

/** What `Factory.forProtocol` returns: the factory class's instance, building `P`s. */
export type ForProtocol<F, P extends IProtocol> = Omit<F, "protocol" | "buildProtocol"> & {
  /** The protocol class it builds. */
  protocol: ProtocolClass<P>;
  /** A new `P` for each connection (or null to refuse it). */
  buildProtocol(addr: IAddress): P | null;
};

/**
 * Builds a protocol for each connection and holds what they share: Twisted's
 * `twisted.internet.protocol.Factory`. Set `protocol` to a protocol class (or override
 * `buildProtocol`); the built protocol gets `factory` set to this factory.
 *
 * Ports and connectors call `doStart` when they begin using the factory and `doStop` when they
 * stop; `startFactory` runs on the first `doStart` and `stopFactory` after the last `doStop`,
 * so one factory can serve several ports.
 *
 * @typeParam P - the protocol type it builds.
 */
export class Factory<P extends IProtocol = IProtocol> implements IProtocolFactory {
  /** The protocol class `buildProtocol` instantiates (with no arguments). */
  protocol: ProtocolClass<P> | undefined = undefined;
  /** Log "Starting factory" / "Stopping factory" (as Twisted does, by default). */
  noisy = true;
  /** How many ports or connectors use this factory now. */
  numPorts = 0;

  /**
   * A factory of this class for `protocolClass`: Twisted's `Factory.forProtocol(P, *args)`.
   * As in Twisted, `args` go to the factory's constructor; the protocol class is instantiated
   * with no arguments.
   * @param protocolClass - the protocol class.
   * @param args - arguments for this factory class's constructor.
   */
  static forProtocol<C extends new (...args: never[]) => Factory<IProtocol>, P extends IProtocol>(
    this: C,
    protocolClass: ProtocolClass<P>,
    ...args: ConstructorParameters<C>
  ): ForProtocol<InstanceType<C>, P> {
    const factory = new this(...args);
    factory.protocol = protocolClass;
    return factory as unknown as ForProtocol<InstanceType<C>, P>;
  }

  /** Called by each port or connector that starts using this factory. */
  doStart(): void {
    if (this.numPorts === 0) {
      if (this.noisy) log.info("Starting factory {factory}", { factory: this });
      this.startFactory();
    }
    this.numPorts++;
  }

  /** Called by each port or connector that stops using it; an extra call does nothing. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) {
      if (this.noisy) log.info("Stopping factory {factory}", { factory: this });
      this.stopFactory();
    }
  }

  /** Override to set up shared state (open a file, a database) before the first connection. */
  startFactory(): void {}

  /** Override to release shared state after the last port stops. */
  stopFactory(): void {}

  /**
   * Make the protocol for a new connection, or return null to refuse it (the connection is
   * closed at once). The default instantiates `protocol` and sets its `factory`.
   * @param _addr - the peer's address.
   */
  buildProtocol(_addr: IAddress): P | null {
    if (this.protocol === undefined) {
      throw new Error(
        `${this.logPrefix()}.protocol is not set and buildProtocol is not overridden`,
      );
    }
    const p = new this.protocol();
    (p as { factory?: unknown }).factory = this;
    return p;
  }

  /** `<Factory (Echo)>`: how the factory appears in log messages. */
  toString(): string {
    return `<${this.logPrefix()}>`;
  }

  /** The factory's name in logs: its class name and protocol. */
  logPrefix(): string {
    const proto = this.protocol?.name;
    return proto ? `${this.constructor.name} (${proto})` : this.constructor.name;
  }
}

/** A factory for servers: Twisted's `ServerFactory`, a marker subclass of `Factory`. */
export class ServerFactory<P extends IProtocol = IProtocol> extends Factory<P> {}

/**
 * A factory for client connections: Twisted's `ClientFactory`. Connectors tell it when an
 * attempt starts (`startedConnecting`), fails (`clientConnectionFailed`), or when an established
 * connection is lost (`clientConnectionLost`). The defaults do nothing.
 */
export class ClientFactory<P extends IProtocol = IProtocol>
  extends Factory<P>
  implements IClientFactory
{
  /**
   * A connection attempt has started.
   * @param _connector - the connector; `stopConnecting()` aborts the attempt.
   */
  startedConnecting(_connector: IConnector): void {}

  /**
   * A connection attempt failed.
   * @param _connector - the connector; `connect()` tries again.
   * @param _reason - `ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`, …
   */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}

  /**
   * An established connection was lost.
   * @param _connector - the connector; `connect()` reconnects.
   * @param _reason - `ConnectionDone` for a clean close, `ConnectionLost` otherwise.
   */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}
