import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type AnyServiceMaker,
  isServiceMaker,
  normalizeServiceMaker,
  type OptionValues,
  type PluginOptionValues,
  type ServiceMakerOptions,
} from "../src/serviceMaker.js";

const makeService = () => {
  throw new Error("unused");
};

describe("isServiceMaker", () => {
  it("recognises an object with a name and a makeService function", () => {
    expect(isServiceMaker({ name: "x", makeService })).toBe(true);
    expect(isServiceMaker({ name: "x" })).toBe(false);
    expect(isServiceMaker({ makeService })).toBe(false);
    expect(isServiceMaker(null)).toBe(false);
    expect(isServiceMaker("x")).toBe(false);
  });
});

describe("normalizeServiceMaker", () => {
  it("keeps a record of options as it is", () => {
    const options = { port: { type: "string", help: "Port" } } as const;
    const maker = normalizeServiceMaker({ name: "r", description: "R", options, makeService });
    expect(maker.options).toEqual(options);
    expect(maker.description).toBe("R");
  });

  it("turns a list of named options into a record, array defaults for repeatable ones", () => {
    const maker = normalizeServiceMaker({
      name: "l",
      description: "L",
      options: [
        {
          name: "listen",
          description: "Where",
          type: "string",
          multiple: true,
          default: "tcp:1",
          valueName: "D",
        },
        { name: "verbose", help: "Talk", type: "boolean", short: "v" },
      ],
      makeService,
    } as unknown as AnyServiceMaker);
    expect(maker.options).toEqual({
      listen: { type: "string", multiple: true, default: ["tcp:1"], help: "Where", valueName: "D" },
      verbose: { type: "boolean", multiple: false, short: "v", help: "Talk" },
    });
  });

  it("gives a maker without options an empty record and keeps its usage text", () => {
    const maker = normalizeServiceMaker({
      name: "n",
      usage: "More",
      makeService,
    } as unknown as AnyServiceMaker);
    expect(maker.options).toEqual({});
    expect(maker.description).toBe("");
    expect(maker.usage).toBe("More");
  });

  it("calls the plugin's own makeService", async () => {
    const made = { made: true };
    const maker = normalizeServiceMaker({
      name: "m",
      description: "",
      options: {},
      makeService: (values: PluginOptionValues) => ({ ...made, values }) as never,
    });
    expect(await maker.makeService({ a: "b" }, undefined as never)).toEqual({
      made: true,
      values: { a: "b" },
    });
  });

  it("rejects options that are neither a record nor a list of named entries", () => {
    expect(() =>
      normalizeServiceMaker({
        name: "b",
        options: [{ type: "string" }],
        makeService,
      } as unknown as AnyServiceMaker),
    ).toThrow(/has no name/);
    expect(() =>
      normalizeServiceMaker({
        name: "b",
        options: "nope",
        makeService,
      } as unknown as AnyServiceMaker),
    ).toThrow(/must be a record/);
  });
});

describe("OptionValues", () => {
  it("types each option from its declaration", () => {
    const options = {
      port: { type: "string", default: "tcp:1", help: "" },
      listen: { type: "string", multiple: true, help: "" },
      verbose: { type: "boolean", help: "" },
      flags: { type: "boolean", multiple: true, default: [true], help: "" },
    } as const satisfies ServiceMakerOptions;
    expectTypeOf<OptionValues<typeof options>>().toEqualTypeOf<{
      port: string;
      listen: string[] | undefined;
      verbose: boolean | undefined;
      flags: boolean[];
    }>();
    expectTypeOf<OptionValues<ServiceMakerOptions>>().toEqualTypeOf<PluginOptionValues>();
  });
});
