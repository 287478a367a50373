/**
 * `IRCClientFactory`: keeps an IRC client connected and in its channels.
 * @packageDocumentation
 */
import {
  type Failure,
  type IAddress,
  type IConnector,
  ReconnectingClientFactory,
} from "@twisted-ts/core";
import type { IRCClient } from "./ircClient.js";

/**
 * A `ReconnectingClientFactory` for `IRCClient`s: when the connection is lost it reconnects
 * with exponential backoff (reset once the server welcomes us), and the new client negotiates
 * capabilities and SASL again, then rejoins the channels the old one was in (and the
 * `channels` given here) after `signedOn`.
 *
 * ```ts
 * const factory = new IRCClientFactory(() => new LogBot(), ["#twisted"]);
 * reactor.connectTCP("irc.example.org", 6667, factory);
 * ```
 *
 * @typeParam P - the client class.
 */
export class IRCClientFactory<
  P extends IRCClient = IRCClient,
> extends ReconnectingClientFactory<P> {
  /** The channels every new client joins after `signedOn`; kept up to date across reconnects. */
  readonly channels: Set<string>;
  /** The client of the current (or last) connection. */
  client: P | null = null;

  /**
   * @param makeClient - makes a new client for each connection.
   * @param channels - channels to join after signing on.
   */
  constructor(
    private readonly makeClient: () => P,
    channels: Iterable<string> = [],
  ) {
    super();
    this.channels = new Set(channels);
  }

  /**
   * Makes a client, sets its `factory`, and gives it the channels to join.
   * @param _addr - the server's address.
   * @returns the client.
   */
  override buildProtocol(_addr: IAddress): P {
    const client = this.makeClient();
    client.factory = this;
    client.autoJoin = [...new Set([...client.autoJoin, ...this.channels])];
    this.client = client;
    return client;
  }

  /**
   * Remembers the channels the lost client was in, then reconnects after a delay.
   * @param connector - the connector.
   * @param reason - why the connection ended.
   */
  override clientConnectionLost(connector: IConnector, reason: Failure): void {
    this.rememberChannels();
    super.clientConnectionLost(connector, reason);
  }

  /** Takes the current client's channels as the ones to rejoin. */
  private rememberChannels(): void {
    const client = this.client;
    if (client === null || !client.registered) return;
    this.channels.clear();
    for (const state of client.channels.values()) this.channels.add(state.name);
  }
}
