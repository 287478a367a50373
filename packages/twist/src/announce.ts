/**
 * The "<Factory> starting on <port>" and "(TCP Port <port> Closed)" lines twistd prints.
 * Twisted's `tcp.Port` logs them itself; core's UDP port does, its TCP, TLS and Unix ports do
 * not yet, so `twist` wraps the reactor's `listenTCP`, `listenSSL` and `listenUNIX` while it
 * runs and logs them. When a port logs its own "starting on" line, `twist` stays quiet about it.
 *
 * A port may also bind later than `listenTCP` returns: in a cluster worker the primary binds
 * it. Such a port offers `whenListening()` (a promise, or Deferred, that settles once it is
 * bound, or rejects with the bind error); the line is logged then, and `twist` waits for every
 * port to be bound before it reports that it has started.
 * @packageDocumentation
 */
import {
  globalLogPublisher,
  type IListeningPort,
  type IProtocolFactory,
  type LogEvent,
  Logger,
  type Reactor,
} from "@twisted-ts/core";

const log = new Logger({ namespace: "twisted-ts.internet.tcp" });

type ListenMethod = "listenTCP" | "listenSSL" | "listenUNIX";

function factoryName(factory: IProtocolFactory): string {
  return (factory as { constructor?: { name?: string } }).constructor?.name || "Factory";
}

function where(port: IListeningPort, kind: ListenMethod): string {
  const host = port.getHost() as { port?: unknown; name?: unknown };
  if (kind === "listenUNIX") return String(host.name ?? "");
  return String(host.port ?? "");
}

/** A port that may be bound after `listenTCP` returns (see the module's documentation). */
interface MaybePendingPort extends IListeningPort {
  whenListening?(): PromiseLike<unknown>;
}

function announce(port: IListeningPort, factory: IProtocolFactory, kind: ListenMethod): void {
  const at = where(port, kind);
  log.info("{factory} starting on {port}", { factory: factoryName(factory), port: at });
  const stop = port.stopListening.bind(port);
  const label = kind === "listenUNIX" ? "UNIX" : "TCP";
  let announced = false;
  port.stopListening = () => {
    const stopped = stop();
    if (!announced) {
      announced = true;
      stopped.addCallback((result: unknown) => {
        log.info(`(${label} Port {port} Closed)`, { port: at });
        return result;
      });
    }
    return stopped;
  };
}

/** What `announcePorts` returns. */
export interface AnnouncedPorts {
  /**
   * Wait until every port opened so far is bound.
   * @throws the first bind error.
   */
  bound(): Promise<void>;
  /** Stop wrapping the reactor's listen methods. */
  restore(): void;
}

/**
 * Log every port the reactor opens from now on, as twistd does.
 * @param reactor - the reactor (the global one).
 * @returns a way to wait for the ports to be bound, and to undo the wrapping.
 */
export function announcePorts(reactor: Reactor): AnnouncedPorts {
  const pending: PromiseLike<unknown>[] = [];
  const methods: ListenMethod[] = ["listenTCP", "listenSSL", "listenUNIX"];
  const target = reactor as unknown as Record<ListenMethod, (...args: unknown[]) => IListeningPort>;
  for (const method of methods) {
    const original = target[method].bind(reactor);
    target[method] = (...args: unknown[]) => {
      const events: LogEvent[] = [];
      const observer = (event: LogEvent) => {
        events.push(event);
      };
      globalLogPublisher.addObserver(observer);
      let port: IListeningPort;
      try {
        port = original(...args);
      } finally {
        globalLogPublisher.removeObserver(observer);
      }
      const selfAnnounced = events.some((e) => /starting on/.test(String(e.log_format ?? "")));
      const factory = args[1] as IProtocolFactory;
      const later = (port as MaybePendingPort).whenListening?.();
      if (later === undefined) {
        if (!selfAnnounced) announce(port, factory, method);
      } else {
        pending.push(
          Promise.resolve(later).then(() => {
            if (!selfAnnounced) announce(port, factory, method);
          }),
        );
      }
      return port;
    };
  }
  return {
    bound: async () => {
      await Promise.all(pending);
    },
    restore: () => {
      for (const method of methods) delete (target as Partial<typeof target>)[method];
    },
  };
}
