// @twisted-ts/smtp: the Maildir server and sendmail, talking to each other on 127.0.0.1.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Reactor } from "@twisted-ts/core";
import { MailService, sendmail } from "@twisted-ts/smtp";

const root = mkdtempSync(join(tmpdir(), "pack-smtp-"));
const reactor = new Reactor();
const running = reactor.run({ installSignalHandlers: false });
const service = new MailService(reactor, {
  listen: ["tcp:0:interface=127.0.0.1"],
  maildir: root,
  domains: ["example.com"],
});
await service.startService();
const port = service.ports[0].getHost().port;
const [ok] = await sendmail(
  "127.0.0.1",
  "a@example.org",
  ["bob@example.com"],
  "Subject: hi\r\n\r\nhello\r\n",
  {
    port,
    reactor,
    requireTransportSecurity: false,
  },
);
await service.stopService();
reactor.stop();
await running;
const delivered = readdirSync(join(root, "example.com", "bob", "new"));
if (ok !== 1 || delivered.length !== 1) throw new Error(`ok=${ok} delivered=${delivered}`);
console.log("smtp esm ok");
