// The audit log: who changed what and when, with the values before and
// after, newest first; filtered by entity, actor, action (or a prefix such as
// `order.`) and time, paged with "Older entries". Rows are append-only on
// the server; this screen only reads.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { Field, useLoad } from "./common.tsx";

type Entry = Schemas["AuditEntry"];
interface Filters {
  entityType: string;
  entityId: string;
  actorId: string;
  action: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { entityType: "", entityId: "", actorId: "", action: "", from: "", to: "" };

/** What the API takes: only the filters set; datetime-local values as ISO instants. */
function query(f: Filters, before?: number) {
  const q: Record<string, string | number> = {};
  for (const name of ["entityType", "entityId", "actorId", "action"] as const)
    if (f[name].trim()) q[name] = f[name].trim();
  if (f.from) q.from = new Date(f.from).toISOString();
  if (f.to) q.to = new Date(f.to).toISOString();
  if (before) q.before = before;
  return { ...q, limit: 50 };
}

/** The keys whose values differ, each as before → after. */
function changes(entry: Entry): string[] {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
}

export function AuditScreen(props: { entityType?: string | undefined; entityId?: string | undefined }) {
  const { t, fmt } = useI18n();
  const { fail } = useNotices();
  const initial = { ...NO_FILTERS, entityType: props.entityType ?? "", entityId: props.entityId ?? "" };
  const [draft, setDraft] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(initial);
  const [older, setOlder] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const first = useLoad(async () => {
    const page = await unwrap(api.http.GET("/v1/admin/audit", { params: { query: query(applied) } }));
    setOlder([]);
    setNext(page.nextBefore);
    return page.entries;
  }, [applied]);
  const entries = [...(first.data ?? []), ...older];

  async function loadOlder() {
    if (next === null) return;
    try {
      const page = await unwrap(api.http.GET("/v1/admin/audit", { params: { query: query(applied, next) } }));
      setOlder((o) => [...o, ...page.entries]);
      setNext(page.nextBefore);
    } catch (error) {
      fail(error);
    }
  }
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...draft });
  };
  const field = (name: keyof Filters, label: string, type = "text") => (
    <Field id={`audit-${name}`} label={label}>
      <input
        id={`audit-${name}`}
        type={type}
        value={draft[name]}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </Field>
  );

  return (
    <section aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">{t("audit.title")}</h1>
        <button type="button" className="ghost" onClick={first.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <form className="ops-form audit-filters" onSubmit={apply}>
        {field("entityType", t("audit.entityType"))}
        {field("entityId", t("audit.entityId"))}
        {field("actorId", t("audit.actor"))}
        {field("action", t("audit.action"))}
        {field("from", t("audit.from"), "datetime-local")}
        {field("to", t("audit.to"), "datetime-local")}
        <div className="form-actions wide">
          <button type="submit" className="primary">
            {t("audit.apply")}
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            {t("audit.clear")}
          </button>
        </div>
      </form>
      <div className="table-wrap" aria-busy={first.busy}>
        {first.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
        {first.data && entries.length === 0 ? <p className="muted empty">{t("audit.empty")}</p> : null}
        {entries.length > 0 ? (
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.who")}</th>
                <th scope="col">{t("audit.what")}</th>
                <th scope="col">{t("audit.entity")}</th>
                <th scope="col">{t("audit.change")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-action={entry.action}>
                  <td>
                    <time dateTime={entry.at}>{fmt.dateTime(entry.at)}</time>
                  </td>
                  <td>
                    {entry.actorName ?? entry.actorId}
                    <div className="muted small-text">{entry.actorRole}</div>
                  </td>
                  <td>
                    <code>{entry.action}</code>
                    {entry.note ? <div className="muted small-text">{entry.note}</div> : null}
                  </td>
                  <td>
                    {entry.entityType}
                    <div className="muted small-text mono">{entry.entityId}</div>
                  </td>
                  <td>
                    <ul className="changes">
                      {changes(entry).map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
                    <details>
                      <summary>{t("audit.show")}</summary>
                      <div className="before-after">
                        <div>
                          <h3>{t("audit.before")}</h3>
                          <pre className="payload">{JSON.stringify(entry.before, null, 2)}</pre>
                        </div>
                        <div>
                          <h3>{t("audit.after")}</h3>
                          <pre className="payload">{JSON.stringify(entry.after, null, 2)}</pre>
                        </div>
                      </div>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      {next !== null ? (
        <button type="button" onClick={() => void loadOlder()}>
          {t("audit.older")}
        </button>
      ) : null}
    </section>
  );
}
