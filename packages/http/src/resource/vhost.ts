/**
 * Name-based virtual hosting: Twisted's `vhost.NameVirtualHost`.
 * @packageDocumentation
 */
import type { IRequest, IResource, RenderResult } from "../iweb.js";
import { NoResource, Resource } from "./resource.js";

/**
 * Routes each request to a resource by its Host header (without the port, case-insensitive),
 * or to `default` when no host matches: Twisted's `vhost.NameVirtualHost`. Without a default,
 * an unknown host gets a 404 "host {name} not in vhost map".
 *
 * ```ts
 * const vhost = new NameVirtualHost();
 * vhost.addHost("example.com", siteA);
 * vhost.default = fallback;
 * ```
 */
export class NameVirtualHost extends Resource {
  /** The resource for hosts not in the map. */
  default: IResource | undefined = undefined;
  /** Resources by host name (lower case). */
  readonly hosts = new Map<string, IResource>();

  /**
   * Serves a host name with a resource.
   * @param name - a host name.
   * @param resource - what serves it.
   */
  addHost(name: string, resource: IResource): void {
    this.hosts.set(name.toLowerCase(), resource);
  }

  /**
   * Forgets a host name.
   * @param name - the host name.
   */
  removeHost(name: string): void {
    this.hosts.delete(name.toLowerCase());
  }

  /**
   * Picks the resource for a request's host.
   * @param request - the request.
   * @returns the resource for the request's host.
   */
  getResourceForRequest(request: IRequest): IResource {
    let host = (request.getHeader("host") ?? "").toLowerCase();
    if (host.startsWith("[")) host = host.slice(0, host.indexOf("]") + 1);
    else if (host.includes(":")) host = host.slice(0, host.indexOf(":"));
    const found = this.hosts.get(host) ?? this.default;
    return found ?? new NoResource(`host ${host} not in vhost map`);
  }

  /**
   * Renders the host's resource.
   * @param request - the request.
   * @returns what it rendered.
   */
  override render(request: IRequest): RenderResult {
    return this.getResourceForRequest(request).render(request);
  }

  /**
   * The host's resource's child.
   * @param path - the segment.
   * @param request - the request.
   * @returns the child.
   */
  override getChild(path: string, request: IRequest): IResource {
    const resource = this.getResourceForRequest(request);
    if (resource.isLeaf) {
      // give the segment back: the leaf renders the whole path
      request.postpath.unshift(request.prepath.pop() as string);
      return resource;
    }
    return resource.getChildWithDefault(path, request);
  }
}
