// The subset of Analytics Engine's SQL the platform's queries use, over rows
// held in memory: enough that the health view runs the very text it runs
// against Cloudflare (domain/metrics/health-metrics.ts HEALTH_SQL). Anything
// outside the subset is refused with an error, never guessed at.
//
//   SELECT item [, item]* FROM dataset
//     [WHERE cond [AND cond]*] [GROUP BY column [, column]*] [FORMAT JSON]
//   item:  column | SUM(x) | COUNT() | MIN(x) | MAX(x) | AVG(x)
//          | quantileWeighted(level, x, weight), each optionally AS alias
//   cond:  column = 'text' | column op number
//          | timestamp op NOW() - INTERVAL 'n' SECOND|MINUTE|HOUR|DAY   (op: = > >= < <=)
import { quantileWeighted } from "../../../domain/metrics/health-metrics.ts";

/** One stored data point, with the columns Analytics Engine gives it. */
export interface StoredPoint {
  dataset: string;
  timestamp: number;
  blobs: string[];
  doubles: number[];
  indexes: string[];
  sampleInterval?: number;
}

export interface SqlAnswer {
  meta: { name: string; type: string }[];
  data: Record<string, string | number>[];
  rows: number;
  rows_before_limit_at_least: number;
}

export class SqlError extends Error {}

type Token = { kind: "word" | "number" | "string" | "symbol"; text: string };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)|'([^']*)'|(>=|<=|!=|[(),*=<>+-]))/y;
  let at = 0;
  const text = sql.trim().replace(/;$/, "");
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new SqlError(`unexpected input at ${at}: ${text.slice(at, at + 20)}`);
    at = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: "word", text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: "number", text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: "string", text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "symbol", text: m[4] });
    if (/^\s+$/.test(text.slice(at))) break;
  }
  return tokens;
}

type Aggregate = "sum" | "count" | "min" | "max" | "avg" | "quantileweighted";
type Item =
  | { kind: "column"; column: string; name: string }
  | { kind: "aggregate"; fn: Aggregate; args: string[]; level?: number; name: string };
type Op = "=" | ">" | ">=" | "<" | "<=";
type Cond = { column: string; op: Op; value: string | number };

interface Query {
  items: Item[];
  dataset: string;
  where: Cond[];
  groupBy: string[];
}

const AGGREGATES = new Set<string>(["sum", "count", "min", "max", "avg", "quantileweighted"]);
const UNITS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function columnName(word: string): string {
  const c = word.toLowerCase();
  if (/^(blob([1-9]|1\d|20)|double([1-9]|1\d|20)|index1|timestamp|_sample_interval|dataset)$/.test(c)) return c;
  throw new SqlError(`unknown column ${word}`);
}

function parse(sql: string, now: number): Query {
  const t = tokenize(sql);
  let i = 0;
  const peek = () => t[i];
  const isWord = (w: string) => peek()?.kind === "word" && peek()?.text.toLowerCase() === w;
  const next = () => {
    const tok = t[i++];
    if (!tok) throw new SqlError("unexpected end of query");
    return tok;
  };
  const expect = (text: string) => {
    const tok = next();
    if (tok.text.toLowerCase() !== text.toLowerCase()) throw new SqlError(`expected ${text}, found ${tok.text}`);
  };
  const word = () => {
    const tok = next();
    if (tok.kind !== "word") throw new SqlError(`expected a name, found ${tok.text}`);
    return tok.text;
  };

  expect("select");
  const items: Item[] = [];
  do {
    if (peek()?.text === ",") next();
    const name = word();
    let item: Item;
    if (peek()?.text === "(") {
      const fn = name.toLowerCase();
      if (!AGGREGATES.has(fn)) throw new SqlError(`unsupported function ${name}`);
      next();
      const args: string[] = [];
      let level: number | undefined;
      if (fn === "quantileweighted") {
        const tok = next();
        if (tok.kind !== "number") throw new SqlError("quantileWeighted takes a level first");
        level = Number(tok.text);
        expect(",");
      }
      while (peek()?.text !== ")") {
        if (peek()?.text === ",") next();
        args.push(columnName(word()));
      }
      expect(")");
      const wanted = fn === "count" ? 0 : fn === "quantileweighted" ? 2 : 1;
      if (args.length !== wanted) throw new SqlError(`${name} takes ${wanted} column(s)`);
      item = { kind: "aggregate", fn: fn as Aggregate, args, name: `${name}(${args.join(", ")})` };
      if (level !== undefined) item.level = level;
    } else {
      const column = columnName(name);
      item = { kind: "column", column, name: column };
    }
    if (isWord("as")) {
      next();
      item.name = word();
    }
    items.push(item);
  } while (peek()?.text === ",");

  expect("from");
  const dataset = word();
  const where: Cond[] = [];
  if (isWord("where")) {
    next();
    do {
      if (isWord("and")) next();
      const column = columnName(word());
      const op = next().text as Op;
      if (!["=", ">", ">=", "<", "<="].includes(op)) throw new SqlError(`unsupported operator ${op}`);
      const tok = next();
      if (tok.kind === "string") where.push({ column, op, value: tok.text });
      else if (tok.kind === "number") where.push({ column, op, value: Number(tok.text) });
      else if (tok.kind === "word" && tok.text.toLowerCase() === "now") {
        expect("(");
        expect(")");
        expect("-");
        expect("interval");
        const amount = next();
        const unit = word().toLowerCase();
        const ms = UNITS[unit];
        if (amount.kind === "symbol" || ms === undefined) throw new SqlError("expected INTERVAL 'n' UNIT");
        where.push({ column, op, value: now - Number(amount.text) * ms });
      } else throw new SqlError(`unsupported value ${tok.text}`);
    } while (isWord("and"));
  }
  const groupBy: string[] = [];
  if (isWord("group")) {
    next();
    expect("by");
    do {
      if (peek()?.text === ",") next();
      const name = word();
      const alias = items.find((it) => it.kind === "column" && it.name === name);
      groupBy.push(alias?.kind === "column" ? alias.column : columnName(name));
    } while (peek()?.text === ",");
  }
  if (isWord("format")) {
    next();
    if (word().toUpperCase() !== "JSON") throw new SqlError("only FORMAT JSON is supported");
  }
  if (i < t.length) throw new SqlError(`unsupported clause at ${t[i]?.text}`);
  for (const item of items) {
    if (item.kind === "column" && !groupBy.includes(item.column) && items.some((x) => x.kind === "aggregate")) {
      throw new SqlError(`${item.column} must be grouped or aggregated`);
    }
  }
  return { items, dataset, where, groupBy };
}

function columnValue(point: StoredPoint, column: string): string | number {
  if (column === "timestamp") return point.timestamp;
  if (column === "_sample_interval") return point.sampleInterval ?? 1;
  if (column === "dataset") return point.dataset;
  if (column === "index1") return point.indexes[0] ?? "";
  const blob = /^blob(\d+)$/.exec(column);
  if (blob) return point.blobs[Number(blob[1]) - 1] ?? "";
  const double = /^double(\d+)$/.exec(column);
  if (double) return point.doubles[Number(double[1]) - 1] ?? 0;
  throw new SqlError(`unknown column ${column}`);
}

function matches(point: StoredPoint, cond: Cond): boolean {
  const v = columnValue(point, cond.column);
  const w = cond.value;
  switch (cond.op) {
    case "=":
      return v === w || String(v) === String(w);
    case ">":
      return v > w;
    case ">=":
      return v >= w;
    case "<":
      return v < w;
    case "<=":
      return v <= w;
  }
}

function aggregate(item: Extract<Item, { kind: "aggregate" }>, points: StoredPoint[]): number | null {
  const nums = (column: string) => points.map((p) => Number(columnValue(p, column)));
  const [a = "", b = ""] = item.args;
  switch (item.fn) {
    case "count":
      return points.length;
    case "sum":
      return nums(a).reduce((s, n) => s + n, 0);
    case "min":
      return points.length ? Math.min(...nums(a)) : null;
    case "max":
      return points.length ? Math.max(...nums(a)) : null;
    case "avg":
      return points.length ? nums(a).reduce((s, n) => s + n, 0) / points.length : null;
    case "quantileweighted":
      return quantileWeighted(
        item.level ?? 0.5,
        points.map((p) => ({ value: Number(columnValue(p, a)), weight: Number(columnValue(p, b)) })),
      );
  }
}

/** Runs `sql` over `points` at time `now` (epoch ms), answering as the SQL API's FORMAT JSON does. */
export function runAnalyticsSql(sql: string, points: readonly StoredPoint[], now = Date.now()): SqlAnswer {
  const q = parse(sql, now);
  const rows = points.filter((p) => p.dataset === q.dataset && q.where.every((c) => matches(p, c)));
  const groups = new Map<string, StoredPoint[]>();
  const aggregated = q.items.some((it) => it.kind === "aggregate");
  if (aggregated) {
    for (const p of rows) {
      const key = JSON.stringify(q.groupBy.map((c) => columnValue(p, c)));
      const group = groups.get(key) ?? [];
      group.push(p);
      groups.set(key, group);
    }
    // An ungrouped aggregate answers one row even over nothing.
    if (q.groupBy.length === 0 && groups.size === 0) groups.set("[]", []);
  }
  const sets = aggregated ? [...groups.values()] : rows.map((p) => [p]);
  const data = sets.map((set) => {
    const out: Record<string, string | number> = {};
    for (const item of q.items) {
      if (item.kind === "column") {
        const first = set[0];
        const v = first ? columnValue(first, item.column) : "";
        out[item.name] = item.column === "timestamp" ? new Date(Number(v)).toISOString() : v;
      } else {
        const v = aggregate(item, set);
        // 64-bit integers come back quoted from the real API (ClickHouse's JSON format).
        out[item.name] = item.fn === "count" || item.fn === "sum" ? String(v ?? 0) : (v ?? Number.NaN);
      }
    }
    return out;
  });
  const meta = q.items.map((item) => ({
    name: item.name,
    type:
      item.kind === "column"
        ? item.column.startsWith("double") || item.column === "_sample_interval"
          ? "Float64"
          : item.column === "timestamp"
            ? "DateTime"
            : "String"
        : item.fn === "count" || item.fn === "sum"
          ? "UInt64"
          : "Float64",
  }));
  return { meta, data, rows: data.length, rows_before_limit_at_least: data.length };
}
