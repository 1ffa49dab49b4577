import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSchemaName, parseDatabaseUrl } from "../../src/db/database-url.js";

describe("parseDatabaseUrl", () => {
  it.each([
    ["sqlite:cloud.db", { dialect: "sqlite", file: "/var/lib/hc/cloud.db" }],
    ["sqlite:db/cloud.db", { dialect: "sqlite", file: "/var/lib/hc/db/cloud.db" }],
    ["sqlite:/srv/cloud.db", { dialect: "sqlite", file: "/srv/cloud.db" }],
    ["sqlite::memory:", { dialect: "sqlite", file: ":memory:" }],
    ["postgres://u:p@h/db", { dialect: "postgres", connectionString: "postgres://u:p@h/db", schema: null }],
    [
      "postgresql://u:p@h:5433/db?schema=t_1&sslmode=require",
      { dialect: "postgres", connectionString: "postgresql://u:p@h:5433/db?sslmode=require", schema: "t_1" },
    ],
  ])("%s", (url, expected) => {
    expect(parseDatabaseUrl(url, "/var/lib/hc")).toEqual(expected);
  });

  it.each([
    ["sqlite:", /needs a path/],
    ["mysql://h/db", /must start with/],
    ["postgres://h/db?schema=x;drop", /schema must match/],
    ["postgres://h/db?schema=Public", /schema must match/],
  ])("refuses %s", (url, message) => {
    expect(() => parseDatabaseUrl(url, "/state")).toThrow(message);
  });

  // The schema name ends up inside a start-up option (`-c search_path=…`): nothing that could
  // add a second option or break quoting may pass.
  it("accepts only schema names without separators or quotes", () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        if (isSchemaName(name)) expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
        else
          expect(() => parseDatabaseUrl(`postgres://h/db?schema=${encodeURIComponent(name)}`, "/")).toThrow();
      }),
    );
  });
});
