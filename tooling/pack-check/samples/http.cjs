const { Headers, Resource, NOT_DONE_YET } = require("@twisted-ts/http");
const { DummyRequest, renderRequest } = require("@twisted-ts/http/testing");

const h = new Headers({ "content-type": ["text/plain"] });
if (h.getRawHeaders("CONTENT-TYPE")[0] !== "text/plain") throw new Error("Headers");
class Later extends Resource {
  constructor() {
    super();
    this.isLeaf = true;
  }
  render_GET(request) {
    setImmediate(() => {
      request.write("later");
      request.finish();
    });
    return NOT_DONE_YET;
  }
}
Promise.resolve(renderRequest(new Later(), new DummyRequest([""]))).then((body) => {
  if (body.toString() !== "later") throw new Error(`got ${body}`);
  console.log("http cjs ok");
});
