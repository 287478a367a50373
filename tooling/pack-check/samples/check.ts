// Type-checks the installed packages' declarations from a plain npm project (node16 resolution).

import { LineReceiver } from "@twisted-ts/basic";
import { Deferred, type IReactorTime, reactor } from "@twisted-ts/core";
import { Clock } from "@twisted-ts/core/testing";
import { Agent, type IRequest, Resource, Site } from "@twisted-ts/http";
import { DummyRequest } from "@twisted-ts/http/testing";
import { IRCClient, type IRCMessage, parseMessage } from "@twisted-ts/irc";
import { MemCacheProtocol } from "@twisted-ts/memcache";
import { QOTDFactory, StaticQuoter } from "@twisted-ts/qotd";
import { Address, type IMessageDelivery, sendmail } from "@twisted-ts/smtp";

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
class Page extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): string {
    request.setHeader("content-type", "text/plain");
    return "typed";
  }
}
const delivery: Partial<IMessageDelivery> = {};
export const more = [
  new Site(new Page()),
  Agent,
  new DummyRequest([]),
  MemCacheProtocol,
  new Address("a@b.c"),
  sendmail,
  delivery,
];
export const used = [d, time, message, Lines, Bot, new QOTDFactory(new StaticQuoter("q")), reactor];
