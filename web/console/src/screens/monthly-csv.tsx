// A calendar month's statement as a CSV file (GET /v1/restaurants/{id}/statements/{month}?format=csv),
// fetched with the session's token and handed to the browser as a download.
import { useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { openPrintablePage } from "../../../shared/ui/printable-page.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";

export function MonthlyCsv(props: { restaurantId: string }) {
  const { t, locale } = useI18n();
  const { fail } = useNotices();
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const [busy, setBusy] = useState(false);

  async function download() {
    setBusy(true);
    try {
      const csv = await unwrap(
        api.http.GET("/v1/restaurants/{id}/statements/{month}", {
          params: { path: { id: props.restaurantId, month }, query: { format: "csv" } },
          parseAs: "text",
        }),
      );
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `statement-${month}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function printable() {
    try {
      await openPrintablePage(() =>
        unwrap(
          api.http.GET("/v1/restaurants/{id}/statements/{month}", {
            params: {
              path: { id: props.restaurantId, month },
              query: { format: "html", lang: locale },
            },
            parseAs: "text",
          }),
        ),
      );
    } catch (error) {
      fail(error);
    }
  }

  return (
    <span className="monthly-csv">
      <label htmlFor="statement-month">{t("money.month")}</label>
      <input id="statement-month" type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
      <button type="button" disabled={busy || !/^\d{4}-\d{2}$/.test(month)} onClick={() => void download()}>
        {t("money.downloadCsv")}
      </button>
      <button type="button" disabled={!/^\d{4}-\d{2}$/.test(month)} onClick={() => void printable()}>
        {t("money.printable")}
      </button>
    </span>
  );
}
