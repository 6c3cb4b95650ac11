// Web push for the courier app: once signed in, the service worker subscribes
// with the platform's VAPID key and the subscription is registered with the
// API, so an offer arrives as a notification while the app is in the
// background (public/sw.js shows it). Best effort: a browser without push, or
// a courier who declines notifications, keeps the live socket as before.
import type { CourierApi } from "./api.ts";

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replaceAll("-", "+").replaceAll("_", "/");
  const text = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export type PushOutcome = "subscribed" | "denied" | "unsupported" | "failed";

export async function enablePush(api: CourierApi, language: "en" | "pt"): Promise<PushOutcome> {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window))
    return "unsupported";
  try {
    await api.setNotificationLanguage(language);
    const permission =
      Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
    if (permission !== "granted") return "denied";
    const key = await api.vapidKey();
    if (!key) return "unsupported";
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
    const json = subscription.toJSON() as { endpoint?: string; keys?: { p256dh?: string; auth?: string } };
    if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return "failed";
    await api.registerPush({
      endpoint: json.endpoint,
      keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
      app: "courier",
    });
    return "subscribed";
  } catch (error) {
    console.warn("web push:", error);
    return "failed";
  }
}
