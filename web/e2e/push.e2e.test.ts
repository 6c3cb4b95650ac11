// A kitchen's new-order push reaching the console's service worker in a real
// browser (Debian's chromium) with no console tab open, and shown as a
// notification.
//
// What a real browser here cannot do: subscribe to a push service of our
// choosing. Chromium's PushManager only subscribes through Google's push
// service (FCM), which this offline machine cannot reach, so a push cannot
// travel from our stand-in into chromium over the network. This test therefore
// joins the two real halves at the one seam that is not real:
//   1. the Worker's own push encryption and VAPID signing
//      (workers/notifications/web-push.ts, WebCrypto) post the kitchen's new-order message
//      to the push service stand-in, which checks the VAPID token and
//      decrypts it with http_ece, an independent implementation;
//   2. those decrypted bytes are handed to chromium as the push service would
//      hand them to the browser: DevTools' ServiceWorker.deliverPushMessage
//      fires a real `push` event in the console's real, built service worker
//      while no page of the console's origin is open; the notification it
//      shows is read back with registration.getNotifications().
// What is not covered: the network hop from a push service into chromium
// (FCM's protocol), and the operating system drawing the notification.
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { render } from "../../domain/notifications/templates.ts";
import type { StoredMessage } from "../../scripts/dev/notify-standin/server.ts";
import { launchBrowser } from "./kit.ts";

const consoleUrl = inject("consoleUrl");
/** The platform's own notification stand-in (its push service decrypts what it is sent). */
const notifyUrl = inject("notifyUrl");
// The Worker's own push encryption and VAPID signing, loaded at run time: its types are workerd's, not this DOM program's.
const WEB_PUSH = fileURLToPath(new URL("../../workers/notifications/web-push.ts", import.meta.url));
interface WebPush {
  encryptPayload(plaintext: Uint8Array, subscriber: { p256dh: string; auth: string }): Promise<Uint8Array>;
  vapidAuthorization(endpoint: string, privateJwk: string, subject: string): Promise<string>;
}
const ORDER_ID = "0f6c3c2e-9d1b-4c55-8f0e-6b2d7a1c4e90";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

/** The new-order push exactly as the Worker sends it, decrypted by the stand-in: the bytes a browser would get. */
async function newOrderPushThroughStandin(): Promise<{ payload: string; sentAt: number }> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const subscription = (await (await fetch(`${notifyUrl}/push/subscriptions`, { method: "POST" })).json()) as {
    id: string;
    endpoint: string;
    keys: { p256dh: string; auth: string };
  };
  const text = render("kitchen_new_order", "en", { short: ORDER_ID.slice(0, 8), items: "2", total: "€20.89" });
  const message = { ...text, url: `/#/board/${ORDER_ID}`, tag: `kitchen_new_order:${ORDER_ID}` };
  const { encryptPayload, vapidAuthorization } = (await import(WEB_PUSH)) as WebPush;
  const sentAt = Date.now();
  // As channels.ts sendPush does it, with its encryption and VAPID signing (sendPush itself is typed for workerd).
  const authorization = await vapidAuthorization(
    subscription.endpoint,
    JSON.stringify(await exportJWK(privateKey)),
    "mailto:ops@test.local",
  );
  const body = await encryptPayload(new TextEncoder().encode(JSON.stringify(message)), subscription.keys);
  const sent = await fetch(subscription.endpoint, {
    method: "POST",
    headers: { authorization, "content-encoding": "aes128gcm", ttl: "60", urgency: "high" },
    body: Buffer.from(body),
  });
  expect(sent.status).toBe(201);
  const inbox = (await (
    await fetch(`${notifyUrl}/messages?kind=push&to=${encodeURIComponent(subscription.id)}`)
  ).json()) as { messages: StoredMessage[] };
  const [stored] = inbox.messages;
  expect(stored).toMatchObject({ subject: text.title, body: text.body, meta: { tag: message.tag, urgency: "high" } });
  // Rebuilt from what the stand-in decrypted (it keeps the fields, not the bytes): the JSON the Worker encrypted.
  const meta = (stored?.meta ?? {}) as { url?: string; tag?: string };
  return {
    payload: JSON.stringify({ title: stored?.subject, body: stored?.body, url: meta.url, tag: meta.tag }),
    sentAt,
  };
}

describe("web push to the console's service worker", () => {
  it("shows a kitchen's new order as a notification with no console tab open", async () => {
    const origin = new URL(consoleUrl).origin;
    const context = await browser.newContext();
    await context.grantPermissions(["notifications"], { origin });
    const page = await context.newPage();
    await page.goto(consoleUrl);
    // The built console registers /sw.js; wait until it is active.
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${origin}/`);
    // Recorded, not required: what subscribing does in this chromium (it needs FCM, which is out of reach).
    const subscribeOutcome = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const key = new Uint8Array(65);
      key[0] = 4;
      try {
        await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        return "subscribed";
      } catch (error) {
        return `refused: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      }
    });
    console.log(`[push e2e] PushManager.subscribe in Debian chromium: ${subscribeOutcome}`);

    // Find the registration through DevTools, from a page of another origin (not a client of the console).
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
    await cdp.send("ServiceWorker.enable");
    const deadline = Date.now() + 10_000;
    while (!registrations.some((r) => r.scopeURL === `${origin}/` && !r.isDeleted) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const registration = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
    expect(registration).toBeDefined();

    // The console tab is closed: nothing of its origin is open.
    await page.close();
    const [worker] = context.serviceWorkers().filter((w) => w.url().startsWith(origin));
    expect(worker).toBeDefined();
    const windows = await worker?.evaluate(async () => {
      const sw = self as unknown as { clients: { matchAll(o: object): Promise<unknown[]> } };
      return (await sw.clients.matchAll({ type: "window", includeUncontrolled: true })).length;
    });
    expect(windows).toBe(0);

    const { payload, sentAt } = await newOrderPushThroughStandin();
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin,
      registrationId: registration?.registrationId ?? "",
      data: payload,
    });
    let shown: Array<{ title: string; body: string; tag: string; url: string }> = [];
    // Polled up to 20 s: on a loaded machine the worker can take a while; the latency is reported, not asserted.
    // With its tab closed Chromium may stop the worker and start a new one for the push, so each poll asks the
    // context for the origin's current worker instead of keeping the first handle.
    const currentWorker = () =>
      context
        .serviceWorkers()
        .filter((w) => w.url().startsWith(origin))
        .at(-1);
    const until = Date.now() + 20_000;
    while (shown.length === 0 && Date.now() < until) {
      shown =
        (await currentWorker()
          ?.evaluate(async () => {
            const sw = self as unknown as {
              registration: {
                getNotifications(): Promise<Array<{ title: string; body: string; tag: string; data: { url: string } }>>;
              };
            };
            return (await sw.registration.getNotifications()).map((n) => ({
              title: n.title,
              body: n.body,
              tag: n.tag,
              url: n.data.url,
            }));
          })
          // A worker stopped between the lookup and the call: ask again on the next poll.
          .catch(() => [])) ?? [];
      if (shown.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const latencyMs = Date.now() - sentAt;
    console.log(`[push e2e] sendPush → stand-in decrypts → service worker shows it: ${latencyMs} ms`);
    expect(shown).toEqual([
      {
        title: "New order #0f6c3c2e",
        body: "2 item(s), €20.89. Accept it before it expires.",
        tag: `kitchen_new_order:${ORDER_ID}`,
        url: `/#/board/${ORDER_ID}`,
      },
    ]);
    // The issue's bound: shown within 2 s of the Worker sending it.
    expect(latencyMs).toBeLessThan(2000);
    await context.close();
  }, 60_000);
});
