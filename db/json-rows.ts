// A multi-row INSERT whose rows travel as one JSON parameter, expanded by
// PostgreSQL with `jsonb_populate_recordset` into the table's own row type:
//
//   insert into "t" ("a", "b") select "a", "b" from jsonb_populate_recordset(null::"t", $1::jsonb)
//
// Why not drizzle's `.values(rows)`: it builds several SQL chunks per value and
// walks every one of them with its `is()` class checks when rendering. For the
// projection's batch of 50 events (about 2,500 values) that rendering was half
// of the consumer's own CPU (decision 61); one parameter renders in a few
// microseconds, and JSON.stringify is native. Values must be what the column's
// input accepts from JSON: strings, numbers, booleans, null, Dates (as ISO
// text) and, for json/jsonb columns, any JSON value as is.
//
// Only the columns some row sets are listed, so the others take their database
// defaults (serial ids, now(), gen_random_uuid()), as drizzle's `default` does.
import { getTableColumns, type SQL, sql, type Table } from "drizzle-orm";

/**
 * `insert into <table> (<columns>) select <columns> from jsonb_populate_recordset(...) as x`:
 * append the conflict clause and `returning` as SQL. Throws on an empty list, and on a column
 * that has a default but only some rows set (a JSON null would not be the default).
 */
export function insertJsonRows<T extends Table>(table: T, rows: ReadonlyArray<T["$inferInsert"]>): SQL {
  if (rows.length === 0) throw new Error("insertJsonRows: no rows");
  const columns = Object.entries(getTableColumns(table)).filter(([key]) =>
    rows.some((row) => (row as Record<string, unknown>)[key] !== undefined),
  );
  for (const [key, column] of columns) {
    if (column.hasDefault && rows.some((row) => (row as Record<string, unknown>)[key] === undefined)) {
      throw new Error(`insertJsonRows: ${column.name} is set on some rows only and has a default`);
    }
  }
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) out[column.name] = (row as Record<string, unknown>)[key] ?? null;
    return out;
  });
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  return sql`insert into ${table} (${names}) select ${names} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(json)}::jsonb)`;
}

/** `"a" = excluded."a", ...`: an upsert's SET list, from the schema's column names. */
export function excludedSet(columns: ReadonlyArray<{ name: string }>): SQL {
  return sql.join(
    columns.map((c) => sql`${sql.identifier(c.name)} = excluded.${sql.identifier(c.name)}`),
    sql`, `,
  );
}

/**
 * Rows as the driver returns them from `returning *` (column names, timestamps as text) in the
 * shape drizzle's select gives: property names and each column's own decoding.
 */
export function fromDriverRows<T extends Table>(
  table: T,
  rows: ReadonlyArray<Record<string, unknown>>,
): Array<T["$inferSelect"]> {
  const columns = Object.entries(getTableColumns(table));
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[column.name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T["$inferSelect"];
  });
}
