/**
 * The web front end (tutorial parts 2, 4 and 6: `finger15`–`finger20`): an index of users at
 * `/`, a page per user at `/<user>`, and the RPC calls as JSON over HTTP at `/RPC2` (where the
 * tutorial has XML-RPC). Every user name and status is HTML-escaped.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Deferred, Failure } from "@twisted-ts/core";
import type { IFingerService } from "@twisted-ts/finger";
import {
  escapeHTML,
  type IRequest,
  type IResource,
  NOT_DONE_YET,
  type RenderResult,
  Resource,
} from "@twisted-ts/http";
import type { FingerRPCErrorCode } from "./errors.js";
import { dispatch } from "./rpc/server.js";
import { decodeRequest, type FingerRPCResponse, isRejected } from "./rpc/wire.js";

/**
 * The two pages' templates. Placeholders: `{{users}}` (the `<li>` items of the index),
 * `{{user}}` and `{{status}}` (the user page); values are HTML-escaped before they go in.
 */
export interface WebTemplates {
  /** The index of users. */
  readonly index: string;
  /** One user's page. */
  readonly user: string;
}

/** The built-in templates, after the tutorial's `UserStatusTree` and `UserStatus`. */
export const DEFAULT_TEMPLATES: WebTemplates = {
  index: [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>Users</title></head><body>',
    "<h1>Users</h1>",
    "<ul>",
    "{{users}}",
    "</ul>",
    "</body></html>",
    "",
  ].join("\n"),
  user: [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>{{user}}</title></head><body>',
    "<h1>{{user}}</h1>",
    "<p>{{status}}</p>",
    '<p><a href="./">All users</a></p>',
    "</body></html>",
    "",
  ].join("\n"),
};

/**
 * Read the templates of a directory: `index.html` and `user.html`, each optional (the built-in
 * one stands in for a missing file). The tutorial's `--templates` option.
 * @param dir - the directory.
 * @returns the templates.
 */
export function loadTemplates(dir: string): WebTemplates {
  const read = (name: string, fallback: string): string => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, "utf8") : fallback;
  };
  return {
    index: read("index.html", DEFAULT_TEMPLATES.index),
    user: read("user.html", DEFAULT_TEMPLATES.user),
  };
}

/** Fill `{{name}}` placeholders; values are inserted as they are (escape them first). */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A status as HTML: escaped, line breaks kept. */
function statusHTML(status: string): string {
  return escapeHTML(status.replace(/\r\n/g, "\n").replace(/\n+$/, "")).replace(/\n/g, "<br>\n");
}

/** Render asynchronously: `produce` gives the body; a failure becomes a 500 page. */
function renderLater(request: IRequest, produce: () => Deferred<string>): RenderResult {
  let gone = false;
  request.notifyFinish().addErrback(() => {
    gone = true;
  });
  request.setHeader("content-type", "text/html; charset=utf-8");
  produce().addCallbacks(
    (body: string) => {
      if (gone) return;
      request.write(body);
      request.finish();
    },
    (_failure: Failure) => {
      if (gone) return;
      request.setResponseCode(500);
      request.write("<html><body><h1>Internal error in server</h1></body></html>\n");
      request.finish();
    },
  );
  return NOT_DONE_YET;
}

/**
 * One user's page: `<h1>user</h1><p>status</p>`, the tutorial's `UserStatus`. A user the
 * service does not know gets its answer ("No such user"), with 200, as in Twisted.
 */
export class UserStatus extends Resource {
  /**
   * @param user - the user.
   * @param service - the finger service.
   * @param templates - the page templates.
   */
  constructor(
    readonly user: string,
    readonly service: IFingerService,
    readonly templates: WebTemplates = DEFAULT_TEMPLATES,
  ) {
    super();
  }

  /** `/<user>/` is the same page. */
  override getChild(path: string, request: IRequest): IResource {
    return path === "" ? this : super.getChild(path, request);
  }

  /** The page. */
  render_GET(request: IRequest): RenderResult {
    return renderLater(request, () =>
      this.service
        .getUser(this.user)
        .addCallback((status: string) =>
          fill(this.templates.user, { user: escapeHTML(this.user), status: statusHTML(status) }),
        ),
    );
  }
}

/**
 * The site's root, the tutorial's `UserStatusTree`: `/` lists the users, each linked to its
 * page; `/<user>` is that user's {@link UserStatus}; `/RPC2` is {@link UserStatusRPC}.
 *
 * Differences from Twisted: `/RPC2` speaks the finger RPC's JSON (see `rpc/wire.ts`) instead of
 * XML-RPC.
 */
export class UserStatusTree extends Resource {
  /**
   * @param service - the finger service.
   * @param templates - the page templates.
   */
  constructor(
    readonly service: IFingerService,
    readonly templates: WebTemplates = DEFAULT_TEMPLATES,
  ) {
    super();
    this.putChild("RPC2", new UserStatusRPC(service));
    this.putChild("", this);
  }

  /** Any other segment is a user. */
  override getChild(path: string, _request: IRequest): IResource {
    return new UserStatus(path, this.service, this.templates);
  }

  /** The index. */
  render_GET(request: IRequest): RenderResult {
    return renderLater(request, () =>
      this.service.getUsers().addCallback((users: string[]) => {
        const items = users.map((user) => {
          const name = escapeHTML(user);
          return `<li><a href="${escapeHTML(encodeURIComponent(user))}">${name}</a></li>`;
        });
        return fill(this.templates.index, { users: items.join("\n") });
      }),
    );
  }
}

/**
 * The RPC calls over HTTP, at `/RPC2`: POST one request object as JSON (the netstring
 * protocol's message, `{"id":1,"method":"getUser","params":["moshez"]}`) and get the response
 * object back as JSON, with 200 also for an error response. A body longer than `maxLength`
 * bytes gets 413. The tutorial's `UserStatusXR`.
 */
export class UserStatusRPC extends Resource {
  override isLeaf = true;
  /** The longest request body, in bytes. */
  maxLength = 65_536;
  /** The longest user name, in characters. */
  maxUserLength = 256;

  /** @param service - the finger service. */
  constructor(readonly service: IFingerService) {
    super();
  }

  /** One call. */
  render_POST(request: IRequest): RenderResult {
    request.setHeader("content-type", "application/json");
    const error = (id: number | null, code: FingerRPCErrorCode, message: string): string =>
      `${JSON.stringify({ id, error: { code, message } } satisfies FingerRPCResponse)}\n`;
    if (request.content.length > this.maxLength) {
      request.setResponseCode(413);
      return error(null, "too-large", `the request is longer than ${this.maxLength}`);
    }
    const decoded = decodeRequest(request.content.read(), this.maxUserLength);
    if (isRejected(decoded)) return error(decoded.id, decoded.error.code, decoded.error.message);
    let gone = false;
    request.notifyFinish().addErrback(() => {
      gone = true;
    });
    dispatch(this.service, decoded).addCallbacks(
      (result: string | string[]) => {
        if (gone) return;
        request.write(
          `${JSON.stringify({ id: decoded.id, result } satisfies FingerRPCResponse)}\n`,
        );
        request.finish();
      },
      (_failure: Failure) => {
        if (gone) return;
        request.write(error(decoded.id, "internal-error", "Internal error in server"));
        request.finish();
      },
    );
    return NOT_DONE_YET;
  }
}
