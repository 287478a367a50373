// @twisted-ts/http: a Site serving a resource, fetched with the Agent and readBody.
import { Reactor } from "@twisted-ts/core";
import { Agent, Resource, readBody, Site } from "@twisted-ts/http";

class Hello extends Resource {
  isLeaf = true;
  render_GET(request) {
    request.setHeader("content-type", "text/plain");
    return "hello from a tarball\n";
  }
}
const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const site = new Site(new Hello(), { clock: reactor });
const port = reactor.listenTCP(0, site, { interface: "127.0.0.1" });
const response = await new Agent(reactor).request(
  "GET",
  `http://127.0.0.1:${port.getHost().port}/x`,
);
const body = (await readBody(response)).toString();
reactor.stop();
await running;
if (response.code !== 200 || body !== "hello from a tarball\n")
  throw new Error(`${response.code} ${body}`);
console.log("http esm ok");
