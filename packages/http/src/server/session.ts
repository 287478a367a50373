/**
 * `Session`: twisted.web's server-side sessions, found through a cookie.
 * @packageDocumentation
 */
import type { IDelayedCall, IReactorTime } from "@twisted-ts/core";

/** What a session needs of its site. */
export interface SessionSite {
  /** The sessions by uid; an expired session removes itself. */
  readonly sessions: Map<string, Session>;
}

/**
 * A user's session: Twisted's `server.Session`. `Request.getSession()` creates one and sets a
 * `TWISTED_SESSION` cookie (`TWISTED_SECURE_SESSION` over TLS); it expires after
 * `sessionTimeout` seconds (900) without `touch`, on the site's clock.
 *
 * Differences from Twisted: instead of Componentized adapters, a session holds components in
 * a `Map` by name (`getComponent` / `setComponent`).
 */
export class Session {
  /** Seconds without use before the session expires. */
  sessionTimeout = 900;
  /** When it was last used, in seconds on the site's clock. */
  lastModified: number;
  private readonly expireCallbacks: (() => void)[] = [];
  private expireCall: IDelayedCall | undefined;
  private readonly components = new Map<string, unknown>();

  /**
   * @param site - the site that holds it.
   * @param uid - its identifier (the cookie's value).
   * @param clock - what times its expiry.
   */
  constructor(
    readonly site: SessionSite,
    readonly uid: string,
    readonly clock: IReactorTime,
  ) {
    this.lastModified = clock.seconds();
    this.expireCall = clock.callLater(this.sessionTimeout, () => this.expire());
  }

  /** Starts the expiry countdown again. */
  startCheckingExpiration(): void {
    if (this.expireCall?.active()) this.expireCall.reset(this.sessionTimeout);
    else this.expireCall = this.clock.callLater(this.sessionTimeout, () => this.expire());
  }

  /** Marks the session as used now, pushing its expiry back. */
  touch(): void {
    this.lastModified = this.clock.seconds();
    if (this.expireCall?.active()) this.expireCall.reset(this.sessionTimeout);
  }

  /**
   * Calls `callback` when the session expires.
   * @param callback - what to call.
   */
  notifyOnExpire(callback: () => void): void {
    this.expireCallbacks.push(callback);
  }

  /** Expires the session now: removes it from the site and calls the expiry callbacks. */
  expire(): void {
    if (this.site.sessions.get(this.uid) === this) this.site.sessions.delete(this.uid);
    if (this.expireCall?.active()) this.expireCall.cancel();
    this.expireCall = undefined;
    for (const callback of this.expireCallbacks.splice(0)) callback();
  }

  /**
   * @param name - a component's name.
   * @returns the component stored under it, or `undefined`.
   */
  getComponent<T>(name: string): T | undefined {
    return this.components.get(name) as T | undefined;
  }

  /**
   * Stores a component on the session.
   * @param name - its name.
   * @param value - the component.
   */
  setComponent(name: string, value: unknown): void {
    this.components.set(name, value);
  }
}
