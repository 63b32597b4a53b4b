import { describe, expect, it } from "vitest";
import { plainSqlSequences, restorableSql } from "./pglite-dump.ts";

// The plain-SQL dump of the embedded PGlite, prepared for a restore on its shared backend.

const DUMP = [
  "SET statement_timeout = 0;",
  "SELECT pg_catalog.set_config('search_path', '', false);",
  "SET default_table_access_method = heap;",
  "CREATE TABLE public.t (id bigint NOT NULL, note text);",
  "INSERT INTO public.t VALUES (1, 'two lines:",
  "SET x = 1;');",
  "SELECT pg_catalog.setval('public.t_id_seq', 7, true);",
  "SELECT pg_catalog.setval('public.\"u_id_seq\"', 1, false);",
].join("\n");

describe("restorableSql", () => {
  it("makes pg_dump's settings end with the transaction: the app shares the backend", () => {
    const sql = restorableSql(DUMP);
    expect(sql.startsWith("BEGIN;\n")).toBe(true);
    expect(sql.trimEnd().endsWith("COMMIT;")).toBe(true);
    expect(sql).toContain("SET LOCAL statement_timeout = 0;");
    expect(sql).toContain("SET LOCAL default_table_access_method = heap;");
    expect(sql).toContain("set_config('search_path', '', true)");
  });
  it("leaves the rows' text alone, even a line of it that starts with SET", () => {
    expect(restorableSql(DUMP)).toContain("INSERT INTO public.t VALUES (1, 'two lines:\nSET x = 1;');");
  });
});

describe("plainSqlSequences", () => {
  it("reads each sequence's last value from its setval, as the manifest records it", () => {
    expect(plainSqlSequences(DUMP)).toEqual({ t_id_seq: 7, u_id_seq: 0 });
  });
});
