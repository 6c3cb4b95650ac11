// Up to three photos on a problem report, checked here as the server checks
// them (type and size) so the customer hears at once what will not do; they
// are uploaded when the report is sent (problem-screen.tsx).
import { useEffect, useMemo } from "react";
import { useI18n } from "../i18n.ts";

export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/webp"];

/** The files to keep and, if some were refused, why. */
export function addPhotos(
  current: File[],
  picked: File[],
  t: ReturnType<typeof useI18n>["t"],
): { files: File[]; error: string | null } {
  const files = [...current];
  for (const file of picked) {
    if (!TYPES.includes(file.type)) return { files, error: t("problem.photoType", { name: file.name }) };
    if (file.size > MAX_PHOTO_BYTES) return { files, error: t("problem.photoSize", { name: file.name }) };
    if (files.length >= MAX_PHOTOS) return { files, error: t("problem.photoCount", { max: MAX_PHOTOS }) };
    files.push(file);
  }
  return { files, error: null };
}

export function PhotoPicker(props: { files: File[]; onChange(files: File[], error: string | null): void }) {
  const { t } = useI18n();
  const urls = useMemo(() => props.files.map((f) => URL.createObjectURL(f)), [props.files]);
  useEffect(
    () => () => {
      for (const u of urls) URL.revokeObjectURL(u);
    },
    [urls],
  );

  return (
    <fieldset className="field">
      <legend>{t("problem.photos", { max: MAX_PHOTOS })}</legend>
      <p className="muted small" id="problem-photos-help">
        {t("problem.photosHelp")}
      </p>
      {props.files.length > 0 ? (
        <ul className="problem-photos">
          {props.files.map((_file, i) => (
            <li key={urls[i]}>
              <img src={urls[i]} alt={t("problem.photoAlt", { n: i + 1 })} />
              <button
                type="button"
                className="ghost small"
                onClick={() =>
                  props.onChange(
                    props.files.filter((_, j) => j !== i),
                    null,
                  )
                }
              >
                {t("problem.removePhoto", { n: i + 1 })}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {props.files.length < MAX_PHOTOS ? (
        <>
          <input
            id="problem-photo"
            className="photo-input"
            type="file"
            accept={TYPES.join(",")}
            multiple
            aria-describedby="problem-photos-help"
            onChange={(e) => {
              const picked = [...(e.target.files ?? [])];
              e.target.value = "";
              const result = addPhotos(props.files, picked, t);
              props.onChange(result.files, result.error);
            }}
          />
          <label htmlFor="problem-photo" className="photo-add">
            {t("problem.addPhoto")}
          </label>
        </>
      ) : null}
    </fieldset>
  );
}
