/**
 * Redirects: Twisted's `util.redirectTo` and `util.Redirect`.
 * @packageDocumentation
 */
import type { IRequest, RenderResult } from "../iweb.js";
import { escapeHTML, Resource } from "./resource.js";

/**
 * Sets a 302 and `Location` on a request and returns the small HTML page that goes with it:
 * Twisted's `util.redirectTo`.
 * @param url - where to.
 * @param request - the request.
 * @returns the page's body.
 */
export function redirectTo(url: string, request: IRequest): string {
  request.redirect(url);
  request.setHeader("content-type", "text/html; charset=utf-8");
  const u = escapeHTML(url);
  return `
<html>
    <head>
        <meta http-equiv="refresh" content="0;URL=${u}">
    </head>
    <body bgcolor="#FFFFFF" text="#000000">
    <a href="${u}">click here</a>
    </body>
</html>
`;
}

/**
 * A leaf that redirects every request to one URL (302): Twisted's `util.Redirect`.
 */
export class Redirect extends Resource {
  override isLeaf = true;

  /** @param url - where to. */
  constructor(readonly url: string) {
    super();
  }

  /**
   * Redirects, whatever the method.
   * @param request - the request.
   * @returns the page.
   */
  override render(request: IRequest): RenderResult {
    return redirectTo(this.url, request);
  }
}
