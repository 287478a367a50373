/**
 * Services: `Service`, `MultiService` and `Application`, Twisted's `twisted.application.service`.
 * @packageDocumentation
 */

import type { Deferred } from "../defer/deferred.js";
import { maybeDeferred, succeed } from "../defer/helpers.js";
import { DeferredList } from "../defer/list.js";

/** A value a service can save across restarts: plain JSON, never code. */
export type StateValue =
  | null
  | boolean
  | number
  | string
  | readonly StateValue[]
  | { readonly [key: string]: StateValue };

/**
 * Something that can be started and stopped, and may sit in a tree of services: Twisted's
 * `IService`.
 */
export interface IService {
  /** The service's name, unique among its siblings; undefined for an unnamed one. */
  readonly name: string | undefined;
  /** The collection it belongs to. */
  readonly parent: IServiceCollection | undefined;
  /** Whether it has been started and not stopped. */
  readonly running: boolean;
  /** Start, with privileges: bind ports below 1024 here, before the runner drops them. */
  privilegedStartService(): void;
  /** Start. */
  startService(): void;
  /** Stop; may return a Deferred that fires once it has stopped. */
  stopService(): Deferred<unknown> | undefined;
  /** Join `parent` (leaving any previous one). */
  setServiceParent(parent: IServiceCollection): void;
  /** Leave the parent; may return the Deferred of the stop this causes. */
  disownServiceParent(): Deferred<unknown> | undefined;
  /**
   * Optional: the state to keep across restarts (plain JSON). The runner (`twist
   * --state-file`) saves it on a clean stop.
   */
  getState?(): StateValue;
  /** Optional: take back the state saved by `getState` before the service starts. */
  setState?(state: StateValue): void;
}

/** A service that holds other services: Twisted's `IServiceCollection`. */
export interface IServiceCollection {
  /** Add a child; a running collection starts it at once. */
  addService(service: IService): void;
  /** Remove a child; a running collection stops it and returns the stop's Deferred. */
  removeService(service: IService): Deferred<unknown> | undefined;
  /** The child called `name`. */
  getServiceNamed(name: string): IService;
  /** The children, in the order they were added. */
  [Symbol.iterator](): Iterator<IService>;
}

/**
 * The base service: Twisted's `Service`. Subclass it and override `startService` and
 * `stopService` (calling `super`), or `privilegedStartService` for work that needs privileges.
 */
export class Service implements IService {
  /** The service's name; set it with `setName` before joining a parent. */
  name: string | undefined = undefined;
  /** The collection it belongs to. */
  parent: IServiceCollection | undefined = undefined;
  /** Whether it is running. */
  running = false;

  /**
   * Name the service.
   * @throws Error when it already has a parent (a name is fixed once it is in a collection).
   */
  setName(name: string): void {
    if (this.parent !== undefined) throw new Error("cannot change name when parent exists");
    this.name = name;
  }

  /** @inheritDoc */
  setServiceParent(parent: IServiceCollection): void {
    if (this.parent !== undefined) this.disownServiceParent();
    this.parent = parent;
    parent.addService(this);
  }

  /** @inheritDoc */
  disownServiceParent(): Deferred<unknown> | undefined {
    const parent = this.parent;
    if (parent === undefined) return undefined;
    const stopped = parent.removeService(this);
    this.parent = undefined;
    return stopped;
  }

  /** Does nothing by default. */
  privilegedStartService(): void {}

  /** Marks the service running. */
  startService(): void {
    this.running = true;
  }

  /** Marks the service stopped. */
  stopService(): Deferred<unknown> | undefined {
    this.running = false;
    return undefined;
  }

  /** `<Service name>`. */
  toString(): string {
    return `<${this.constructor.name}${this.name === undefined ? "" : ` ${this.name}`}>`;
  }
}

/**
 * A service made of services: Twisted's `MultiService`. Starting it starts its children in the
 * order they were added; stopping it stops them in reverse order, all at once, and its Deferred
 * fires once every child's stop has (failures included, as a `DeferredList` result).
 */
export class MultiService extends Service implements IServiceCollection {
  private readonly services: IService[] = [];
  private readonly namedServices = new Map<string, IService>();

  /** Starts the children's privileged parts, in order. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    for (const service of [...this.services]) service.privilegedStartService();
  }

  /** Starts the children, in order. */
  override startService(): void {
    super.startService();
    for (const service of [...this.services]) service.startService();
  }

  /** Stops the children in reverse order, all at once; fires once they all have stopped. */
  override stopService(): Deferred<unknown> {
    super.stopService();
    const stops = [...this.services]
      .reverse()
      .map((service) => maybeDeferred(() => service.stopService()));
    return stops.length === 0 ? succeed([]) : new DeferredList(stops);
  }

  /**
   * The child called `name`.
   * @throws RangeError when there is none.
   */
  getServiceNamed(name: string): IService {
    const service = this.namedServices.get(name);
    if (service === undefined) throw new RangeError(`no service named '${name}'`);
    return service;
  }

  /**
   * Add a child. Use `child.setServiceParent(this)` rather than calling this directly.
   * @throws Error when a child of the same name exists.
   */
  addService(service: IService): void {
    if (service.name !== undefined) {
      if (this.namedServices.has(service.name)) {
        throw new Error(`cannot have two services with same name '${service.name}'`);
      }
      this.namedServices.set(service.name, service);
    }
    this.services.push(service);
    if (this.running) {
      service.privilegedStartService();
      service.startService();
    }
  }

  /** Remove a child, stopping it when this collection is running. */
  removeService(service: IService): Deferred<unknown> | undefined {
    if (service.name !== undefined) this.namedServices.delete(service.name);
    const index = this.services.indexOf(service);
    if (index >= 0) this.services.splice(index, 1);
    return this.running ? service.stopService() : undefined;
  }

  /** The children, in the order they were added. */
  [Symbol.iterator](): Iterator<IService> {
    return this.services[Symbol.iterator]();
  }
}

/**
 * The root of a program's services: Twisted's `service.Application(name, uid, gid)`. Add
 * services to it with `setServiceParent(application)`; an app file for `twist --app` exports
 * one as `application`.
 *
 * Differences from Twisted: an `Application` is itself the `MultiService` (Twisted's is a
 * componentized object you adapt to `IService`), and state is kept with `getState`/`setState`
 * as JSON rather than by pickling the application.
 */
export class Application extends MultiService {
  /**
   * @param name - the application's name (used in logs and for the process title).
   * @param uid - the user to switch to after privileged start, when the runner is root.
   * @param gid - the group to switch to.
   */
  constructor(
    name: string,
    readonly uid?: number,
    readonly gid?: number,
  ) {
    super();
    this.name = name;
  }
}
