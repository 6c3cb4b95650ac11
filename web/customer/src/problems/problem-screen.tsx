// Reporting a problem with an order (#/problem/<orderId>): what went wrong and
// what happened, in the customer's words. It becomes an order event and an
// entry in the operators' exceptions queue (decision 0027); the order page then
// shows what support did about it (problem-status.tsx).
import { type FormEvent, useState } from "react";
import { shortId } from "../../../shared/ui/format.ts";
import { navigate } from "../../../shared/ui/hooks.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { CUSTOMER_PROBLEMS, customerApi, type ReportProblem } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";
import { PhotoPicker } from "./photo-picker.tsx";

const MAX_NOTE = 500;

export function ProblemScreen(props: { orderId: string }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const { announce } = useNotices();
  const [problem, setProblem] = useState<ReportProblem["problem"] | null>(null);
  const [note, setNote] = useState("");
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const back = `#/orders/${props.orderId}`;

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!problem) {
      setError(t("problem.pick"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // One at a time: each is up to 2 MB on what may be a phone's connection.
      const photoKeys: string[] = [];
      for (const photo of photos) photoKeys.push(await customerApi.uploadProblemPhoto(props.orderId, photo));
      await customerApi.reportProblem(props.orderId, {
        problem,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(photoKeys.length > 0 ? { photoKeys } : {}),
      });
      announce(t("problem.sent"));
      navigate(back);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="problem-page" onSubmit={send} noValidate>
      <a href={back} className="back">
        {t("pay.back")} {shortId(props.orderId)}
      </a>
      <h1>{t("problem.title")}</h1>
      <p className="muted">{t("problem.help")}</p>
      <fieldset className="problem-kinds">
        <legend>{t("problem.kind")}</legend>
        {CUSTOMER_PROBLEMS.map((kind) => (
          <label key={kind} className={problem === kind ? "choice chosen" : "choice"}>
            <input
              type="radio"
              name="problem"
              checked={problem === kind}
              onChange={() => {
                setProblem(kind);
                setError(null);
              }}
            />
            {t(`problem.${kind}`)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="problem-note">{t("problem.note")}</label>
        <textarea
          id="problem-note"
          rows={4}
          maxLength={MAX_NOTE}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </div>
      <PhotoPicker
        files={photos}
        onChange={(files, refused) => {
          setPhotos(files);
          setError(refused);
        }}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? (photos.length > 0 ? t("problem.uploading") : t("auth.busy")) : t("problem.send")}
      </button>
    </form>
  );
}
