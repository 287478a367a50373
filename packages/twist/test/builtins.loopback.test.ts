import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { ask, startTwist } from "./cli.js";

/** Start `twist <plugin> --listen tcp:0:interface=127.0.0.1 …` and wait for its port. */
async function serve(plugin: string, extra: readonly string[] = []) {
  const twist = startTwist([plugin, "--listen", "tcp:0:interface=127.0.0.1", ...extra]);
  const [, port] = await twist.waitFor(/starting on (\d+)/);
  return { twist, port: Number(port) };
}

async function stop(twist: ReturnType<typeof startTwist>): Promise<void> {
  twist.child.kill("SIGTERM");
  const { code } = await twist.exited;
  expect(code).toBe(0);
  expect(twist.stdout()).toContain("Main loop terminated.");
}

describe("the built-in plugins, run by the real twist binary", () => {
  it("echo echoes (found in @twisted-ts/basic)", async () => {
    const { twist, port } = await serve("echo");
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.on("error", reject);
      socket.once("data", (data) => {
        resolve(String(data));
        socket.destroy();
      });
      socket.write("hello, twist");
    });
    expect(reply).toBe("hello, twist");
    await stop(twist);
  });

  it("discard reads and answers nothing", async () => {
    const { twist, port } = await serve("discard");
    expect(await ask(port, "into the void")).toBe("");
    await stop(twist);
  });

  it("daytime sends the time and closes", async () => {
    const { twist, port } = await serve("daytime");
    expect(await ask(port)).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
    await stop(twist);
  });

  it("qotd sends the quote and closes (found in @twisted-ts/qotd)", async () => {
    const { twist, port } = await serve("qotd", ["--quote", "Simple is better than complex."]);
    expect(await ask(port)).toBe("Simple is better than complex.\r\n");
    await stop(twist);
  });
});
