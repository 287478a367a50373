// Type-checks the installed packages' declarations from a plain npm project (node16 resolution).

import { LineReceiver } from "@twisted-ts/basic";
import { Deferred, type IReactorTime, reactor } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import { IRCClient, type IRCMessage, parseMessage } from "@twisted-ts/irc";
import { QOTDFactory, StaticQuoter } from "@twisted-ts/qotd";

const d: Deferred<number> = new Deferred<number>();
d.addCallback((n: number) => n + 1);
const time: IReactorTime = new Clock();
const message: IRCMessage = parseMessage("PING :x");
class Lines extends LineReceiver {
  override lineReceived(line: Buffer): void {
    void line;
  }
}
class Bot extends IRCClient {
  override nickname = "typed";
}
export const used = [d, time, message, Lines, Bot, new QOTDFactory(new StaticQuoter("q")), reactor];
