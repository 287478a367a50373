// @twisted-ts/basic: LineReceiver splits lines, over core/testing's StringTransport.
import { LineReceiver } from "@twisted-ts/basic";
import { StringTransport } from "@twisted-ts/core/testing";

class Lines extends LineReceiver {
  lines = [];
  lineReceived(line) {
    this.lines.push(line.toString());
  }
}
const p = new Lines();
p.makeConnection(new StringTransport());
p.dataReceived(Buffer.from("one\r\ntw"));
p.dataReceived(Buffer.from("o\r\n"));
if (p.lines.join(",") !== "one,two") throw new Error(`got ${p.lines}`);
console.log("basic esm ok");
