// @twisted-ts/irc: parse and serialise, and a client talking to the embedded server.
import { ClientFactory, Reactor } from "@twisted-ts/core";
import { IRCClient, IRCServerFactory, parseMessage, serializeMessage } from "@twisted-ts/irc";

const m = parseMessage("@time=x :n!u@h PRIVMSG #c :hi there");
if (m.params[1] !== "hi there" || serializeMessage(m) !== "@time=x :n!u@h PRIVMSG #c :hi there") {
  throw new Error("parse/serialise");
}
const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const port = reactor.listenTCP(0, new IRCServerFactory({ clock: reactor }), {
  interface: "127.0.0.1",
});
let resolveJoined;
const joined = new Promise((r) => {
  resolveJoined = r;
});
class Bot extends IRCClient {
  nickname = "packbot";
  signedOn() {
    this.join("#pack");
  }
  joined(channel) {
    resolveJoined(channel);
  }
}
const factory = new ClientFactory();
factory.protocol = Bot;
reactor.connectTCP("127.0.0.1", port.getHost().port, factory);
const channel = await joined;
reactor.stop();
await running;
if (channel !== "#pack") throw new Error(`joined ${channel}`);
console.log("irc esm ok");
