// The app's frame: language, session, and either the sign-in or the shift.
import { useEffect, useMemo, useState } from "react";
import { CourierApi, type User } from "./api.ts";
import { I18nContext, initialLang, type Lang, saveLang, translator } from "./i18n.ts";
import { enablePush } from "./push.ts";
import { ShiftScreen } from "./screens/shift-screen.tsx";
import { SignIn } from "./screens/sign-in.tsx";

export function App() {
  const api = useMemo(() => new CourierApi(), []);
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [user, setUser] = useState<User | null>(() => (api.user?.role === "courier" ? api.user : null));
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (next: Lang) => {
        saveLang(next);
        setLangState(next);
      },
    }),
    [lang],
  );

  useEffect(() => {
    saveLang(lang);
  }, [lang]);
  useEffect(() => api.onSignOut(() => setUser(null)), [api]);
  // Offers as pushes while the app is in the background; only where the service worker runs (built app).
  useEffect(() => {
    if (user && import.meta.env.PROD) void enablePush(api, lang === "pt" ? "pt" : "en");
  }, [api, user, lang]);

  return (
    <I18nContext.Provider value={i18n}>
      {user ? (
        <ShiftScreen api={api} user={user} onSignOut={() => void api.signOut().then(() => setUser(null))} />
      ) : (
        <SignIn api={api} onSignedIn={setUser} />
      )}
    </I18nContext.Provider>
  );
}
