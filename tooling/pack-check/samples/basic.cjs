const { NetstringReceiver } = require("@twisted-ts/basic");
const { StringTransport } = require("@twisted-ts/core/testing");

class Strings extends NetstringReceiver {
  constructor() {
    super();
    this.got = [];
  }
  stringReceived(s) {
    this.got.push(s.toString());
  }
}
const p = new Strings();
p.makeConnection(new StringTransport());
p.dataReceived(Buffer.from("5:hello,3:abc,"));
if (p.got.join(",") !== "hello,abc") throw new Error(`got ${p.got}`);
console.log("basic cjs ok");
