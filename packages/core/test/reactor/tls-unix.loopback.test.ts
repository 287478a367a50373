import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UNIXAddress } from "../../src/address.js";
import {
  CannotListenError,
  ConnectError,
  ConnectionDone,
  ConnectionRefusedError,
} from "../../src/errors.js";
import type { Connection } from "../../src/reactor/connection.js";
import type { Port } from "../../src/reactor/port.js";
import {
  Collector,
  Echo,
  portOf,
  RecordingClientFactory,
  selfSignedCertificate,
  serverFactory,
  testReactor,
  waitFor,
} from "./helpers.js";

const setup = testReactor;

let tls: { key: string; cert: string };
beforeAll(() => {
  tls = selfSignedCertificate();
});

describe("TLS over loopback", () => {
  it("echoes over listenSSL/connectSSL with a verified self-signed certificate", async () => {
    const reactor = setup();
    const port = reactor.listenSSL(
      0,
      serverFactory(() => new Echo()),
      tls,
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectSSL("127.0.0.1", portOf(port), client, {
      ca: tls.cert,
      servername: "localhost",
    });
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    expect((proto.transport as Connection).secure).toBe(true);
    proto.transport?.write("secret");
    await proto.waitForBytes(6);
    expect(proto.text).toBe("secret");
    proto.transport?.loseConnection();
    expect((await proto.lost).check(ConnectionDone)).toBe(ConnectionDone);
  });

  it("fails the attempt when the certificate does not verify", async () => {
    const reactor = setup();
    const port = reactor.listenSSL(
      0,
      serverFactory(() => new Echo()),
      tls,
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectSSL("127.0.0.1", portOf(port), client, { servername: "localhost" });
    const reason = await client.failed;
    expect(reason.check(ConnectError)).toBe(ConnectError);
    expect(client.built).toHaveLength(0);
  });

  it("switches a plain connection to TLS with startTLS on both sides", async () => {
    const reactor = setup();
    class StartTLSServer extends Collector {
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        if (this.text === "STARTTLS\r\n") {
          this.transport?.write("GO\r\n");
          (this.transport as Connection).startTLS(tls);
          this.chunks.length = 0;
        } else if (this.text.endsWith("\r\n")) {
          this.transport?.write(`secure=${(this.transport as Connection).secure}: ${this.text}`);
        }
      }
    }
    const server = serverFactory(() => new StartTLSServer());
    const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
    class StartTLSClient extends Collector {
      override dataReceived(data: Buffer): void {
        super.dataReceived(data);
        if (this.text === "GO\r\n") {
          this.chunks.length = 0;
          (this.transport as Connection).startTLS({ ca: tls.cert, servername: "localhost" });
          this.transport?.write("hello\r\n");
        }
      }
    }
    const client = new RecordingClientFactory(() => new StartTLSClient());
    reactor.connectTCP("127.0.0.1", portOf(port), client);
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.write("STARTTLS\r\n");
    await proto.waitForBytes("secure=true: hello\r\n".length);
    expect(proto.text).toBe("secure=true: hello\r\n");
    expect((proto.transport as Connection).secure).toBe(true);
    proto.transport?.loseConnection();
    await proto.lost;
  });
});

describe("Unix sockets over loopback", () => {
  it("echoes over listenUNIX/connectUNIX, with the socket mode set and UNIX addresses", async () => {
    const reactor = setup();
    const path = join(mkdtempSync(join(tmpdir(), "twisted-ts-unix-")), "echo.sock");
    const port = reactor.listenUNIX(
      path,
      serverFactory(() => new Echo()),
      { mode: 0o600 },
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(port.getHost()).toEqual(new UNIXAddress(path));
    const client = new RecordingClientFactory(() => new Collector());
    const connector = reactor.connectUNIX(path, client);
    expect(connector.getDestination()).toEqual(new UNIXAddress(path));
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.write("over unix");
    await proto.waitForBytes(9);
    expect(proto.text).toBe("over unix");
    proto.transport?.loseConnection();
    await proto.lost;
    await port.stopListening();
  });

  it("refuses a connection to a path nobody listens on", async () => {
    const reactor = setup();
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectUNIX(join(tmpdir(), `twisted-ts-none-${process.pid}.sock`), client);
    expect((await client.failed).check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });

  it("with wantPID, refuses a socket held by a live process and checkPID refuses a dead lock", async () => {
    const reactor = setup();
    const path = join(mkdtempSync(join(tmpdir(), "twisted-ts-unix-")), "locked.sock");
    const port = reactor.listenUNIX(
      path,
      serverFactory(() => new Echo()),
      { wantPID: true },
    );
    expect(() =>
      reactor.listenUNIX(
        path,
        serverFactory(() => new Echo()),
        { wantPID: true },
      ),
    ).toThrow(/live process/);
    const client = new RecordingClientFactory(() => new Collector());
    reactor.connectUNIX(path, client, { checkPID: true });
    const proto = await waitFor(() => client.built[0]);
    await proto.made;
    proto.transport?.loseConnection();
    await proto.lost;
    await port.stopListening();
    const late = new RecordingClientFactory(() => new Collector());
    reactor.connectUNIX(path, late, { checkPID: true });
    expect((await late.failed).check(ConnectionRefusedError)).toBe(ConnectionRefusedError);
  });
});

describe("listening failures and TLS hang-ups", () => {
  it("refuses a Unix path that is in use with CannotListenError, leaving the first socket alone", () => {
    const reactor = setup();
    const path = join(mkdtempSync(join(tmpdir(), "twisted-ts-unix-")), "busy.sock");
    reactor.listenUNIX(
      path,
      serverFactory(() => new Echo()),
      { mode: 0o600 },
    );
    expect(() =>
      reactor.listenUNIX(
        path,
        serverFactory(() => new Echo()),
      ),
    ).toThrow(CannotListenError);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("stops listening even after a client hung up mid-handshake", async () => {
    const reactor = setup();
    const port = reactor.listenSSL(
      0,
      serverFactory(() => new Echo()),
      tls,
      { interface: "127.0.0.1" },
    );
    const client = new RecordingClientFactory(() => new Collector());
    // No CA: the client rejects the certificate and hangs up during the handshake.
    reactor.connectSSL("127.0.0.1", portOf(port), client, {});
    await client.failed;
    await port.stopListening();
    expect((port as Port).connected).toBe(false);
  });
});
