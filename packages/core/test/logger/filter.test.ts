import { describe, expect, it } from "vitest";
import {
  FilteringLogObserver,
  type ILogFilterPredicate,
  InvalidLogLevelError,
  type LogEvent,
  LogLevel,
  LogLevelFilterPredicate,
  LogPublisher,
  PredicateResult,
} from "../../src/logger/index.js";
import { collector } from "./helpers.js";

const events: LogEvent[] = [0, 1, 2, 3].map((count) => ({ count }));
const count = (e: LogEvent) => e.count as number;

const filters: Record<string, ILogFilterPredicate> = {
  twoMinus: (e) => (count(e) <= 2 ? PredicateResult.yes : PredicateResult.maybe),
  twoPlus: (e) => (count(e) >= 2 ? PredicateResult.yes : PredicateResult.maybe),
  notTwo: (e) => (count(e) === 2 ? PredicateResult.no : PredicateResult.maybe),
  no: () => PredicateResult.no,
  bogus: () => "perhaps" as PredicateResult,
};

function filterWith(names: string[]): { seen: number[]; rejected: number[] } {
  const yes = collector();
  const no = collector();
  const observer = new FilteringLogObserver(
    yes.observer,
    names.map((n) => filters[n] as ILogFilterPredicate),
    no.observer,
  );
  for (const event of events) observer(event);
  return { seen: yes.events.map(count), rejected: no.events.map(count) };
}

describe("FilteringLogObserver", () => {
  it("passes every event when there are no predicates", () => {
    expect(filterWith([]).seen).toEqual([0, 1, 2, 3]);
  });

  it("drops the events a predicate says no to", () => {
    expect(filterWith(["notTwo"]).seen).toEqual([0, 1, 3]);
  });

  it("sends rejected events to the negative observer", () => {
    expect(filterWith(["notTwo"])).toEqual({ seen: [0, 1, 3], rejected: [2] });
  });

  it("passes events a predicate says yes to, without asking later predicates", () => {
    expect(filterWith(["twoPlus"]).seen).toEqual([0, 1, 2, 3]);
    expect(filterWith(["twoPlus", "no"]).seen).toEqual([2, 3]);
    expect(filterWith(["twoPlus", "twoMinus", "no"]).seen).toEqual([0, 1, 2, 3]);
  });

  it("throws TypeError for a predicate result that is not yes, no or maybe", () => {
    expect(() => filterWith(["bogus"])).toThrow(TypeError);
  });

  it("records forwarding through it in log_trace", () => {
    const oYes = collector().observer;
    const oNo = collector().observer;
    const yesFilter = new FilteringLogObserver(oYes, [() => PredicateResult.yes]);
    const noFilter = new FilteringLogObserver(oNo, [() => PredicateResult.no]);
    let trace: unknown[] = [];
    const last = (e: LogEvent) => {
      trace = [...(e.log_trace ?? [])];
    };
    const publisher = new LogPublisher(yesFilter, noFilter, last);
    publisher({ log_trace: [] });
    expect(trace).toEqual([
      [publisher, yesFilter],
      [yesFilter, oYes],
      [publisher, noFilter],
      [publisher, last],
    ]);
  });
});

describe("LogLevelFilterPredicate", () => {
  it("uses the default level for namespaces without one", () => {
    const predicate = new LogLevelFilterPredicate();
    expect(predicate.defaultLogLevel).toBe(LogLevel.info);
    for (const namespace of ["", null, undefined, "rocker.cool.namespace"]) {
      expect(predicate.logLevelForNamespace(namespace)).toBe(LogLevel.info);
    }
  });

  it("inherits levels down dotted namespaces, the longest prefix winning", () => {
    const predicate = new LogLevelFilterPredicate();
    predicate.setLogLevelForNamespace("", LogLevel.error);
    predicate.setLogLevelForNamespace("twext.web2", LogLevel.debug);
    predicate.setLogLevelForNamespace("twext.web2.dav", LogLevel.warn);
    expect(predicate.logLevelForNamespace("")).toBe("error");
    expect(predicate.logLevelForNamespace(null)).toBe("error");
    expect(predicate.logLevelForNamespace("twisted")).toBe("error");
    expect(predicate.logLevelForNamespace("twext.web2")).toBe("debug");
    expect(predicate.logLevelForNamespace("twext.web2.dav")).toBe("warn");
    expect(predicate.logLevelForNamespace("twext.web2.dav.test")).toBe("warn");
    expect(predicate.logLevelForNamespace("twext.web2.dav.test1.test2")).toBe("warn");
    // A prefix must end at a dot: "twext.web20" is not below "twext.web2".
    expect(predicate.logLevelForNamespace("twext.web20")).toBe("error");
  });

  it("refuses a level that does not exist", () => {
    const predicate = new LogLevelFilterPredicate();
    expect(() => predicate.setLogLevelForNamespace("twext.web2", "loud" as LogLevel)).toThrow(
      InvalidLogLevelError,
    );
  });

  it("forgets every level when cleared", () => {
    const predicate = new LogLevelFilterPredicate(LogLevel.warn);
    predicate.setLogLevelForNamespace("twext.web2", LogLevel.debug);
    predicate.setLogLevelForNamespace("", LogLevel.critical);
    predicate.clearLogLevels();
    for (const namespace of ["twisted", "twext.web2", "twext.web2.dav.test"]) {
      expect(predicate.logLevelForNamespace(namespace)).toBe(LogLevel.warn);
    }
  });

  it("drops events below their namespace's level and has no opinion on the rest", () => {
    const predicate = new LogLevelFilterPredicate();
    predicate.setLogLevelForNamespace("", LogLevel.error);
    predicate.setLogLevelForNamespace("twext.web2", LogLevel.debug);
    predicate.setLogLevelForNamespace("twext.web2.dav", LogLevel.warn);
    const judge = (log_namespace: string | undefined, log_level: LogLevel | undefined) =>
      predicate({
        ...(log_namespace === undefined ? {} : { log_namespace }),
        ...(log_level === undefined ? {} : { log_level }),
      });
    expect(judge("twext.web2", "debug")).toBe("maybe");
    expect(judge("twext.web2", "error")).toBe("maybe");
    expect(judge("twext.web2.dav", "debug")).toBe("no");
    expect(judge("twext.web2.dav", "error")).toBe("maybe");
    expect(judge("twext.web2.dav.props", "info")).toBe("no");
    expect(judge("twext.web2.dav.props", "warn")).toBe("maybe");
    expect(judge("other", "warn")).toBe("no");
    expect(judge("other", "critical")).toBe("maybe");
  });

  it("drops events without a namespace or a level", () => {
    const predicate = new LogLevelFilterPredicate(LogLevel.debug);
    expect(predicate({ log_level: "critical" })).toBe("no");
    expect(predicate({ log_level: "critical", log_namespace: "" })).toBe("no");
    expect(predicate({ log_namespace: "twext.web2" })).toBe("no");
    expect(predicate.evaluate({ log_namespace: "a", log_level: "debug" })).toBe("maybe");
  });

  it("filters a logger's events by namespace prefix through a FilteringLogObserver", () => {
    const predicate = new LogLevelFilterPredicate(LogLevel.info);
    predicate.setLogLevelForNamespace("app.db", LogLevel.warn);
    const { events: kept, observer } = collector();
    const filtering = new FilteringLogObserver(observer, [predicate]);
    const emit = (namespace: string, level: LogLevel) =>
      filtering({
        log_namespace: namespace,
        log_level: level,
        log_format: `${namespace} ${level}`,
      });
    emit("app.db.pool", "info");
    emit("app.db.pool", "warn");
    emit("app.web", "info");
    emit("app.web", "debug");
    expect(kept.map((e) => e.log_format)).toEqual(["app.db.pool warn", "app.web info"]);
  });
});
