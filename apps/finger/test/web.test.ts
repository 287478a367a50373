import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deferred, fail, succeed } from "@twisted-ts/core";
import { MemoryFingerService } from "@twisted-ts/finger";
import { DummyRequest, renderRequest } from "@twisted-ts/http/testing";
import { describe, expect, it } from "vitest";
import { loadTemplates, type UserStatusRPC, UserStatusTree } from "../src/web.js";

const USERS = {
  moshez: "Happy and well",
  "<script>": "<b>bold</b> & \"quoted\" 'single'",
  "a b": "spaced\nover two lines",
};

function tree(service = new MemoryFingerService(USERS)): UserStatusTree {
  return new UserStatusTree(service);
}

async function get(
  root: UserStatusTree,
  uri: string,
  options: ConstructorParameters<typeof DummyRequest>[1] = {},
): Promise<{ request: DummyRequest; body: string }> {
  const request = new DummyRequest(undefined, { uri, ...options });
  const body = (await renderRequest(root, request)).toString("utf8");
  return { request, body };
}

describe("UserStatusTree (the web front end)", () => {
  it("lists every user at /, escaped, each linked to its page", async () => {
    const { request, body } = await get(tree(), "/");
    expect(request.code).toBe(200);
    expect(request.responseHeaders.getRawHeaders("content-type")).toEqual([
      "text/html; charset=utf-8",
    ]);
    expect(body).toContain("<title>Users</title>");
    expect(body).toContain('<li><a href="moshez">moshez</a></li>');
    expect(body).toContain('<li><a href="%3Cscript%3E">&#60;script&#62;</a></li>');
    expect(body).toContain('<li><a href="a%20b">a b</a></li>');
    expect(body).not.toContain("<script>");
  });

  it("shows a user's status at /<user>", async () => {
    const { request, body } = await get(tree(), "/moshez");
    expect(request.code).toBe(200);
    expect(body).toContain("<title>moshez</title>");
    expect(body).toContain("<h1>moshez</h1>");
    expect(body).toContain("<p>Happy and well</p>");
  });

  it("escapes the user name and the status", async () => {
    const { body } = await get(tree(), "/%3Cscript%3E");
    expect(body).toContain("<h1>&#60;script&#62;</h1>");
    expect(body).toContain(
      "<p>&#60;b&#62;bold&#60;/b&#62; &#38; &#34;quoted&#34; &#39;single&#39;</p>",
    );
    expect(body).not.toContain("<b>");
  });

  it("keeps a status's line breaks", async () => {
    const { body } = await get(tree(), "/a%20b");
    expect(body).toContain("<p>spaced<br>\nover two lines</p>");
  });

  it("serves the same page with a trailing slash", async () => {
    const { body } = await get(tree(), "/moshez/");
    expect(body).toContain("<p>Happy and well</p>");
  });

  it("answers an unknown user with the service's answer", async () => {
    const { request, body } = await get(tree(), "/nobody");
    expect(request.code).toBe(200);
    expect(body).toContain("<p>No such user</p>");
  });

  it("waits for a slow service", async () => {
    const d = new Deferred<string>();
    const root = tree({ getUser: () => d, getUsers: () => succeed([]) } as never);
    const request = new DummyRequest(undefined, { uri: "/slow" });
    const rendered = renderRequest(root, request);
    expect(request.finished).toBe(false);
    d.callback("eventually");
    expect((await rendered).toString()).toContain("<p>eventually</p>");
  });

  it("answers 500 when the service fails", async () => {
    const root = tree({
      getUser: () => fail(new Error("disk on fire")),
      getUsers: () => fail(new Error("disk on fire")),
    } as never);
    for (const uri of ["/", "/joe"]) {
      const { request, body } = await get(root, uri);
      expect(request.code).toBe(500);
      expect(body).toContain("Internal error in server");
      expect(body).not.toContain("disk on fire");
    }
  });

  it("writes nothing when the client went away before the answer", async () => {
    const d = new Deferred<string>();
    const root = tree({ getUser: () => d, getUsers: () => succeed([]) } as never);
    const request = new DummyRequest(undefined, { uri: "/slow" });
    const rendered = renderRequest(root, request);
    rendered.addErrback(() => undefined);
    request.processingFailed(new Error("gone"));
    d.callback("late");
    expect(request.written).toEqual([]);
  });

  it("fills templates from a directory, escaping the values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "finger-templates-"));
    writeFileSync(join(dir, "user.html"), "<div class=u>{{user}} says {{status}}</div>");
    const templates = loadTemplates(dir);
    const root = new UserStatusTree(new MemoryFingerService(USERS), templates);
    expect((await get(root, "/%3Cscript%3E")).body).toBe(
      "<div class=u>&#60;script&#62; says &#60;b&#62;bold&#60;/b&#62; &#38; &#34;quoted&#34; &#39;single&#39;</div>",
    );
    // index.html is missing: the built-in one stands in.
    expect((await get(root, "/")).body).toContain("<h1>Users</h1>");
  });
});

describe("/RPC2 (the RPC calls over HTTP)", () => {
  const post = (body: string) =>
    get(tree(), "/RPC2", { method: "POST", body, headers: { "content-type": "application/json" } });

  it("answers getUser and getUsers as JSON", async () => {
    const user = await post('{"id":1,"method":"getUser","params":["moshez"]}');
    expect(user.request.responseHeaders.getRawHeaders("content-type")).toEqual([
      "application/json",
    ]);
    expect(JSON.parse(user.body)).toEqual({ id: 1, result: "Happy and well" });
    const users = await post('{"id":2,"method":"getUsers","params":[]}');
    expect(JSON.parse(users.body)).toEqual({ id: 2, result: Object.keys(USERS) });
  });

  it("answers bad requests with typed errors", async () => {
    expect(JSON.parse((await post("nope")).body)).toMatchObject({
      id: null,
      error: { code: "parse-error" },
    });
    expect(JSON.parse((await post('{"id":3,"method":"frob"}')).body)).toMatchObject({
      id: 3,
      error: { code: "method-not-found" },
    });
  });

  it("answers 413 to a body longer than maxLength", async () => {
    const root = tree();
    const rpc = root.children.get("RPC2") as UserStatusRPC;
    rpc.maxLength = 10;
    const { request, body } = await get(root, "/RPC2", { method: "POST", body: "x".repeat(11) });
    expect(request.code).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: "too-large" } });
  });

  it("refuses GET with 405", async () => {
    const request = new DummyRequest(undefined, { uri: "/RPC2" });
    await expect(renderRequest(tree(), request).asPromise()).rejects.toMatchObject({
      allowedMethods: ["POST"],
    });
  });
});
