// The photos a customer attached to a problem report, in the exceptions
// queue's detail. They are fetched with the operator's token (they are
// evidence about a person's order, never public) and shown from blob URLs.
import { useEffect, useState } from "react";
import { shortId } from "../../../shared/ui/format.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";

export function photoKeysOf(details: Record<string, unknown>): string[] {
  const keys = details.photoKeys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
}

export function ProblemPhotos(props: { orderId: string; keys: string[] }) {
  const { t } = useI18n();
  const [urls, setUrls] = useState<(string | null)[]>([]);
  const joined = props.keys.join(",");

  // biome-ignore lint/correctness/useExhaustiveDependencies: `joined` stands for the keys
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    void Promise.all(
      props.keys.map(async (key) => {
        const name = key.split("/").at(-1) ?? "";
        const { data } = await api.http.GET("/v1/admin/orders/{id}/problem-photos/{name}", {
          params: { path: { id: props.orderId, name } },
          parseAs: "blob",
        });
        if (!(data instanceof Blob)) return null;
        const url = URL.createObjectURL(data);
        made.push(url);
        return url;
      }),
    )
      .catch(() => props.keys.map(() => null))
      .then((loaded) => {
        if (live) setUrls(loaded);
      });
    return () => {
      live = false;
      for (const url of made) URL.revokeObjectURL(url);
    };
  }, [props.orderId, joined]);

  if (props.keys.length === 0) return null;
  const ref = shortId(props.orderId);
  return (
    <section aria-labelledby="exc-photos-title">
      <h3 id="exc-photos-title">{t("exc.photos")}</h3>
      <ul className="problem-photo-grid">
        {props.keys.map((key, i) => {
          const url = urls[i];
          return (
            <li key={key}>
              {url ? (
                <a href={url} target="_blank" rel="noreferrer">
                  <img src={url} alt={t("exc.photoAlt", { n: i + 1, ref })} />
                </a>
              ) : urls.length > 0 ? (
                <span className="muted small-text">{t("exc.photoFailed", { n: i + 1 })}</span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
