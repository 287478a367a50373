/**
 * `SMTPFactory`, `ESMTPFactory` and `LMTPFactory`: per-server settings copied onto each
 * connection's protocol.
 * @packageDocumentation
 */
import { type IAddress, type IReactorTime, ServerFactory, type TLSOptions } from "@twisted-ts/core";
import type { Portal } from "../cred/portal.js";
import { ESMTP } from "./esmtp.js";
import type { IMessageDelivery, IMessageDeliveryFactory } from "./interfaces.js";
import { LMTP } from "./lmtp.js";
import { type ChallengerFactory, DEFAULT_CHALLENGERS } from "./sasl.js";
import { DNSNAME, SMTP } from "./smtp.js";

/** The limits a factory puts on each connection (see {@link SMTP} for their meaning). */
export interface SMTPLimits {
  /** Idle timeout, seconds (600), or null. */
  timeout?: number | null;
  /** Longest command line with CRLF (512). */
  maxCommandLength?: number;
  /** Longest AUTH line (12288). */
  maxAuthLineLength?: number;
  /** Most recipients per message (100). */
  maxRecipients?: number;
  /** Error replies before 421 and close (20). */
  maxErrors?: number;
  /** Largest message in octets (10 MiB), or null. */
  maxMessageSize?: number | null;
  /** Longest message line (16384). */
  maxDataLineLength?: number;
  /** Longest DATA, seconds (1800), or null. */
  maxDataTime?: number | null;
}

/** What an {@link SMTPFactory} takes besides its portal. */
export interface SMTPFactoryOptions extends SMTPLimits {
  /** Schedules the timeouts: the reactor, or a `Clock` in tests. Without one, no timeouts. */
  clock?: IReactorTime;
  /** The host name in the greeting (Twisted's `domain`); this machine's name by default. */
  domain?: string;
  /** The delivery for every message. */
  delivery?: IMessageDelivery | null;
  /** Or a factory of one delivery per message. */
  deliveryFactory?: IMessageDeliveryFactory | null;
}

/**
 * Makes `SMTP` protocols: Twisted's `SMTPFactory`. Each protocol gets the factory's `domain`
 * as its host, its `portal`, `delivery`/`deliveryFactory`, `clock` and limits.
 */
export class SMTPFactory<P extends SMTP = SMTP> extends ServerFactory<P> {
  /** The host name given to each protocol. */
  domain: string;
  /** The portal, or null. */
  portal: Portal | null;
  /** The delivery for every message, or null. */
  delivery: IMessageDelivery | null;
  /** A factory of deliveries, or null. */
  deliveryFactory: IMessageDeliveryFactory | null;
  /** The clock for timeouts. */
  clock: IReactorTime | undefined;
  /** The limits copied onto each protocol. */
  limits: SMTPLimits;

  /**
   * @param portal - the portal for logins (anonymous, and AUTH in ESMTP).
   * @param options - see {@link SMTPFactoryOptions}.
   */
  constructor(portal: Portal | null = null, options: SMTPFactoryOptions = {}) {
    super();
    const { clock, domain, delivery, deliveryFactory, ...limits } = options;
    this.portal = portal;
    this.clock = clock;
    this.domain = domain ?? DNSNAME;
    this.delivery = delivery ?? null;
    this.deliveryFactory = deliveryFactory ?? null;
    this.limits = limits;
  }

  /** Make the protocol instance (override for another class). */
  protected makeProtocol(): P {
    return new SMTP() as P;
  }

  /**
   * @param _addr - the client's address.
   * @returns a configured protocol.
   */
  override buildProtocol(_addr: IAddress): P {
    const p = this.makeProtocol();
    p.factory = this;
    p.host = this.domain;
    p.portal = this.portal;
    p.delivery = this.delivery;
    p.deliveryFactory = this.deliveryFactory;
    p.clock = this.clock;
    const l = this.limits;
    if (l.timeout !== undefined) p.timeout = l.timeout;
    if (l.maxCommandLength !== undefined) p.maxCommandLength = l.maxCommandLength;
    if (l.maxAuthLineLength !== undefined) p.maxAuthLineLength = l.maxAuthLineLength;
    if (l.maxRecipients !== undefined) p.maxRecipients = l.maxRecipients;
    if (l.maxErrors !== undefined) p.maxErrors = l.maxErrors;
    if (l.maxMessageSize !== undefined) p.maxMessageSize = l.maxMessageSize;
    if (l.maxDataLineLength !== undefined) p.maxDataLineLength = l.maxDataLineLength;
    if (l.maxDataTime !== undefined) p.maxDataTime = l.maxDataTime;
    return p;
  }
}

/** What an {@link ESMTPFactory} takes besides its portal. */
export interface ESMTPFactoryOptions extends SMTPFactoryOptions {
  /** The SASL mechanisms; CRAM-MD5, LOGIN and PLAIN by default. */
  challengers?: Record<string, ChallengerFactory>;
  /** The TLS settings for STARTTLS, or null for none. */
  contextFactory?: TLSOptions | null;
  /** Allow AUTH before TLS (false). */
  allowInsecureAuth?: boolean;
  /** Require AUTH before MAIL (false). */
  requireAuthentication?: boolean;
  /** Send RFC 3463 enhanced status codes (true). */
  enhancedStatusCodes?: boolean;
}

/** Makes `ESMTP` protocols: Twisted's `ESMTPFactory`, with the STARTTLS and AUTH settings. */
export class ESMTPFactory<P extends ESMTP = ESMTP> extends SMTPFactory<P> {
  /** The SASL mechanisms offered. */
  challengers: Record<string, ChallengerFactory>;
  /** The TLS settings for STARTTLS. */
  contextFactory: TLSOptions | null;
  /** Whether AUTH is allowed before TLS. */
  allowInsecureAuth: boolean;
  /** Whether MAIL needs AUTH first. */
  requireAuthentication: boolean;
  /** Whether replies carry enhanced status codes. */
  enhancedStatusCodes: boolean;

  /**
   * @param portal - the portal for logins.
   * @param options - see {@link ESMTPFactoryOptions}.
   */
  constructor(portal: Portal | null = null, options: ESMTPFactoryOptions = {}) {
    const {
      challengers,
      contextFactory,
      allowInsecureAuth,
      requireAuthentication,
      enhancedStatusCodes,
      ...rest
    } = options;
    super(portal, rest);
    this.challengers = { ...(challengers ?? DEFAULT_CHALLENGERS) };
    this.contextFactory = contextFactory ?? null;
    this.allowInsecureAuth = allowInsecureAuth ?? false;
    this.requireAuthentication = requireAuthentication ?? false;
    this.enhancedStatusCodes = enhancedStatusCodes ?? true;
  }

  protected override makeProtocol(): P {
    return new ESMTP() as P;
  }

  /**
   * @param addr - the client's address.
   * @returns a configured protocol.
   */
  override buildProtocol(addr: IAddress): P {
    const p = super.buildProtocol(addr);
    p.challengers = { ...this.challengers };
    p.ctx = this.contextFactory;
    p.allowInsecureAuth = this.allowInsecureAuth;
    p.requireAuthentication = this.requireAuthentication;
    p.enhancedStatusCodes = this.enhancedStatusCodes;
    return p;
  }
}

/** Makes `LMTP` protocols. */
export class LMTPFactory extends ESMTPFactory<LMTP> {
  protected override makeProtocol(): LMTP {
    return new LMTP();
  }
}
