// Operators' view of the dead-letter queue: events the consumer gave up on,
// each with a Replay button that puts it back on the events queue (safe,
// because every projection is idempotent by event id).
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { ProjectionStatusPanel } from "./projection-status.tsx";

type DeadLetter = Schemas["DeadLetter"];

/** A one-line summary of a queued message: its kind, event type and order or restaurant. */
function summary(body: unknown): string {
  if (typeof body === "object" && body !== null) {
    const b = body as { kind?: unknown; restaurantId?: unknown; event?: { type?: unknown; orderId?: unknown } };
    const parts = [b.kind, b.event?.type, b.event?.orderId ?? b.restaurantId].filter((p) => typeof p === "string");
    if (parts.length > 0) return parts.join(" · ");
  }
  return "message";
}

export function DeadLettersScreen() {
  const { t } = useI18n();
  const { fail } = useNotices();
  const [includeReplayed, setIncludeReplayed] = useState(false);
  const [letters, setLetters] = useState<DeadLetter[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(true);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the Reload button
  useEffect(() => {
    let current = true;
    setBusy(true);
    unwrap(
      api.http.GET("/v1/admin/dead-letters", { params: { query: { pending: includeReplayed ? "false" : "true" } } }),
    )
      .then((loaded) => {
        if (!current) return;
        setLetters(loaded.deadLetters);
        setFailed(false);
      })
      .catch((error: unknown) => {
        if (!current) return;
        fail(error);
        setFailed(true);
      })
      .finally(() => {
        if (current) setBusy(false);
      });
    return () => {
      current = false;
    };
  }, [includeReplayed, generation, fail]);

  const replayed = useCallback(
    (updated: DeadLetter) => setLetters((list) => list?.map((l) => (l.id === updated.id ? updated : l)) ?? null),
    [],
  );

  let content: ReactNode = null;
  if (failed) content = <p className="error">{t("dl.loadFailed")}</p>;
  else if (letters && letters.length === 0) content = <p className="muted empty">{t("dl.empty")}</p>;
  else if (letters) {
    content = (
      <table>
        <thead>
          <tr>
            <th scope="col">{t("dl.id")}</th>
            <th scope="col">{t("dl.queue")}</th>
            <th scope="col">{t("dl.message")}</th>
            <th scope="col" className="num">
              {t("dl.attempts")}
            </th>
            <th scope="col">{t("dl.received")}</th>
            <th scope="col">{t("dl.status")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("dl.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {letters.map((letter) => (
            <Row key={letter.id} letter={letter} onReplayed={replayed} />
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <section className="dead-letters" aria-labelledby="dl-title">
      <header className="screen-header">
        <h1 id="dl-title">{t("dl.title")}</h1>
        <label className="check">
          <input
            id="dl-include-replayed"
            type="checkbox"
            checked={includeReplayed}
            onChange={(e) => setIncludeReplayed(e.target.checked)}
          />{" "}
          {t("dl.includeReplayed")}
        </label>
        <button type="button" className="ghost" onClick={() => setGeneration((g) => g + 1)}>
          {t("dl.reload")}
        </button>
      </header>
      <ProjectionStatusPanel generation={generation} />
      <p className="muted intro">{t("dl.intro")}</p>
      <div className="table-wrap" aria-busy={busy}>
        {content}
      </div>
    </section>
  );
}

function Row(props: { letter: DeadLetter; onReplayed(letter: DeadLetter): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const { letter } = props;

  async function replay() {
    setBusy(true);
    try {
      const updated = await unwrap(
        api.http.POST("/v1/admin/dead-letters/{id}/replay", { params: { path: { id: letter.id } } }),
      );
      props.onReplayed(updated);
      announce(t("dl.replayed", { id: letter.id, queue: letter.queue }));
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr>
      <td>{letter.id}</td>
      <td>{letter.queue}</td>
      <td>
        <details>
          <summary>{summary(letter.body)}</summary>
          <pre className="payload">{JSON.stringify(letter.body, null, 2)}</pre>
        </details>
      </td>
      <td className="num">{letter.attempts}</td>
      <td>
        <time dateTime={letter.receivedAt}>{fmt.dateTime(letter.receivedAt)}</time>
      </td>
      <td>
        {letter.replayedAt ? (
          <span className="badge status-delivered">
            {t("dl.replayedAt", { time: fmt.dateTime(letter.replayedAt) })}
          </span>
        ) : (
          t("dl.pending")
        )}
      </td>
      <td>
        <button
          type="button"
          className="primary"
          aria-label={t("dl.replayLabel", { id: letter.id })}
          disabled={busy}
          onClick={() => void replay()}
        >
          {letter.replayedAt ? t("dl.replayAgain") : t("dl.replay")}
        </button>
      </td>
    </tr>
  );
}
