// Web push for the apps (decision 34): once someone is signed in, the app's
// service worker subscribes with the platform's VAPID key and the
// subscription is registered with the API, so a kitchen's new order or a
// courier's offer shows as a notification with the app closed or in the
// background (each app's public/sw.js shows it). Best effort: a browser
// without push, or a person who declines notifications, keeps the live
// sockets as before.
import { type ApiClient, unwrap } from "../api/index.ts";

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replaceAll("-", "+").replaceAll("_", "/");
  const text = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export type PushOutcome = "subscribed" | "denied" | "unsupported" | "failed";

export async function enableWebPush(
  client: ApiClient,
  options: { app: "customer" | "courier" | "console"; language: "en" | "pt" },
): Promise<PushOutcome> {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window))
    return "unsupported";
  try {
    // Notifications in the app's language.
    await unwrap(client.http.PATCH("/v1/me/notification-preferences", { body: { language: options.language } }));
    const permission =
      Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
    if (permission !== "granted") return "denied";
    const { data } = await client.http.GET("/v1/push/vapid-public-key", {});
    if (!data?.publicKey) return "unsupported";
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(data.publicKey),
      }));
    const json = subscription.toJSON() as { endpoint?: string; keys?: { p256dh?: string; auth?: string } };
    if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return "failed";
    await unwrap(
      client.http.POST("/v1/me/push-subscriptions", {
        body: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth }, app: options.app },
      }),
    );
    return "subscribed";
  } catch (error) {
    console.warn("web push:", error);
    return "failed";
  }
}
