/**
 * `Resource` and the error pages: twisted.web's `resource` module.
 * @packageDocumentation
 */
import { UnsupportedMethod } from "../errors.js";
import type { IRequest, IResource, RenderResult } from "../iweb.js";

/** A `render_<METHOD>` method. */
type RenderMethod = (request: IRequest) => RenderResult;

/**
 * The methods an object answers: every `render_<METHOD>` on it or its prototypes, plus HEAD
 * whenever GET is there (and never without it). Twisted's `_computeAllowedMethods`.
 * @param resource - the resource.
 * @returns the methods, sorted.
 */
export function computeAllowedMethods(resource: object): string[] {
  const methods = new Set<string>();
  for (
    let o: object | null = resource;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o)
  ) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (!key.startsWith("render_")) continue;
      if (typeof (resource as Record<string, unknown>)[key] === "function")
        methods.add(key.slice(7));
    }
  }
  // HEAD is answered from GET (Twisted's Resource.render_HEAD), so it is allowed with GET.
  if (methods.has("GET")) methods.add("HEAD");
  else methods.delete("HEAD");
  return [...methods].sort();
}

/** HTML-escapes text for an error page. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A node of the resource tree: Twisted's `twisted.web.resource.Resource`. Subclass it and
 * define `render_GET`, `render_POST`, …, each returning the body (a string is sent as UTF-8) or
 * `NOT_DONE_YET`; add children with `putChild`, or compute them in `getChild`.
 *
 * ```ts
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: IRequest): string {
 *     request.setHeader("content-type", "text/plain; charset=utf-8");
 *     return "hello";
 *   }
 * }
 * const root = new Resource();
 * root.putChild("hello", new Hello());
 * ```
 */
export class Resource implements IResource {
  /** Whether traversal stops here. */
  isLeaf = false;
  /** The children registered with `putChild`, by path segment. */
  readonly children = new Map<string, IResource>();
  /** The methods to announce in `Allow` on a 405; computed from the `render_*` methods when unset. */
  allowedMethods: readonly string[] | undefined = undefined;

  /**
   * The child for a segment when no static child matches; by default a 404 page.
   * @param _path - the segment.
   * @param _request - the request.
   * @returns the child.
   */
  getChild(_path: string, _request: IRequest): IResource {
    return new NoResource("No such child resource.");
  }

  /**
   * A child registered with `putChild`, else `getChild`.
   * @param path - the segment (`""` for a trailing slash).
   * @param request - the request.
   * @returns the child.
   */
  getChildWithDefault(path: string, request: IRequest): IResource {
    return this.children.get(path) ?? this.getChild(path, request);
  }

  /**
   * Registers a static child.
   * @param path - the segment; `""` is the child for "/" (the root's index).
   * @param child - the child.
   */
  putChild(path: string, child: IResource): void {
    this.children.set(path, child);
  }

  /**
   * Calls `render_<METHOD>` (HEAD falls back to `render_GET`).
   * @param request - the request.
   * @returns the body, or `NOT_DONE_YET`.
   * @throws {@link UnsupportedMethod} when there is no such method.
   */
  render(request: IRequest): RenderResult {
    const method = (this as unknown as Record<string, unknown>)[`render_${request.method}`];
    if (typeof method === "function") return (method as RenderMethod).call(this, request);
    if (request.method === "HEAD") {
      const get = (this as unknown as Record<string, unknown>).render_GET;
      if (typeof get === "function") return (get as RenderMethod).call(this, request);
    }
    throw new UnsupportedMethod(this.allowedMethods ?? computeAllowedMethods(this));
  }
}

/**
 * An HTML error page: Twisted's `ErrorPage`, titled `"<code> - <brief>"`, served as
 * `text/html; charset=utf-8` with the code set, whatever the method.
 */
export class ErrorPage extends Resource {
  override isLeaf = true;

  /**
   * @param code - the status code.
   * @param brief - the short description (the title and heading).
   * @param detail - the longer explanation (the paragraph).
   */
  constructor(
    readonly code: number,
    readonly brief: string,
    readonly detail: string,
  ) {
    super();
  }

  /** This page for every child. */
  override getChild(_path: string, _request: IRequest): IResource {
    return this;
  }

  /** Renders the page, whatever the method. */
  override render(request: IRequest): RenderResult {
    request.setResponseCode(this.code);
    request.setHeader("content-type", "text/html; charset=utf-8");
    return [
      "",
      "<html>",
      `  <head><title>${this.code} - ${escapeHTML(this.brief)}</title></head>`,
      "  <body>",
      `    <h1>${escapeHTML(this.brief)}</h1>`,
      `    <p>${escapeHTML(this.detail)}</p>`,
      "  </body>",
      "</html>",
      "",
    ].join("\n");
  }
}

/** A 404 page: "No Such Resource". Twisted's `NoResource`. */
export class NoResource extends ErrorPage {
  /** @param message - the detail; "Sorry. No luck finding that resource." by default. */
  constructor(message = "Sorry. No luck finding that resource.") {
    super(404, "No Such Resource", message);
  }
}

/** A 403 page: "Forbidden Resource". Twisted's `ForbiddenResource`. */
export class ForbiddenResource extends ErrorPage {
  /** @param message - the detail; "Sorry, resource is forbidden." by default. */
  constructor(message = "Sorry, resource is forbidden.") {
    super(403, "Forbidden Resource", message);
  }
}
