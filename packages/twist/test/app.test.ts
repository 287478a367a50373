import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadApplication } from "../src/app.js";
import { AppLoadError } from "../src/errors.js";
import { tempDir, writeTree } from "./helpers.js";

describe("loadApplication", () => {
  it("returns the service a JavaScript file exports as `application`", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "app.mjs": `export const application = {
        name: "a", parent: undefined, running: false,
        privilegedStartService() {}, startService() {}, stopService() {},
        setServiceParent() {}, disownServiceParent() {},
      };`,
      "viaDefault.mjs": `export default { application: {
        privilegedStartService() {}, startService() {}, stopService() {} } };`,
    });
    expect((await loadApplication(join(dir, "app.mjs"))).name).toBe("a");
    expect(await loadApplication(join(dir, "viaDefault.mjs"))).toHaveProperty("startService");
  });

  it.each([
    ["missing.mjs", undefined, /no such application file/],
    ["none.mjs", "export const other = 1;", /does not export `application`/],
    ["notService.mjs", "export const application = { name: 'x' };", /is not a service/],
    ["throws.mjs", "throw new Error('kaput');", /cannot import .*throws\.mjs: kaput/],
  ])("rejects %s", async (file, content, message) => {
    const dir = tempDir();
    if (content !== undefined) writeTree(dir, { [file]: content });
    const loading = loadApplication(join(dir, file));
    await expect(loading).rejects.toThrow(AppLoadError);
    await expect(loadApplication(join(dir, file))).rejects.toThrow(message);
  });
});
