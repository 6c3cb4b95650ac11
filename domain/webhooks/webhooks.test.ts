import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  checkEndpointUrl,
  isSubscribable,
  matchesEventTypes,
  nextWebhookAttempt,
  shouldDisable,
  WEBHOOK_BACKOFF_MS,
} from "./endpoints.ts";
import { generateSecret, isSecret, messageIdFor, signDelivery } from "./signature.ts";

describe("signing, checked by the standardwebhooks library", () => {
  it("a delivery signed with the endpoint's secret verifies; forged, stale and wrong-secret ones do not", async () => {
    const secret = generateSecret();
    expect(isSecret(secret)).toBe(true);
    const body = JSON.stringify({ type: "order.paid", timestamp: new Date().toISOString(), data: { orderId: "o" } });
    const now = Math.floor(Date.now() / 1000);
    const headers = await signDelivery([secret], messageIdFor(crypto.randomUUID()), now, body);
    const wh = new Webhook(secret);
    expect(wh.verify(body, { ...headers })).toMatchObject({ type: "order.paid" });
    expect(() => wh.verify(`${body} `, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow(WebhookVerificationError);
    const stale = await signDelivery([secret], headers["webhook-id"], now - 3600, body);
    expect(() => wh.verify(body, { ...stale })).toThrow(/too old/i);
  });

  it("during a rotation both secrets verify", async () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const body = "{}";
    const headers = await signDelivery([newSecret, oldSecret], "msg_1", Math.floor(Date.now() / 1000), body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toEqual({});
    expect(new Webhook(newSecret).verify(body, { ...headers })).toEqual({});
  });

  it("the message id is stable per event", () => {
    const id = crypto.randomUUID();
    expect(messageIdFor(id)).toBe(messageIdFor(id));
    expect(messageIdFor(id)).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});

describe("endpoint rules", () => {
  it("refuses URLs that would reach into a private network", () => {
    const strict = { allowLoopback: false };
    expect(checkEndpointUrl("https://pos.example.com/hooks", strict).ok).toBe(true);
    for (const bad of [
      "http://pos.example.com/hooks",
      "https://127.0.0.1/x",
      "https://localhost/x",
      "https://10.0.0.5/x",
      "https://192.168.1.1/x",
      "https://172.20.0.1/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://user:pw@pos.example.com/",
      "https://intranet/x",
      "ftp://pos.example.com/",
      "not a url",
    ]) {
      expect(checkEndpointUrl(bad, strict).ok, bad).toBe(false);
    }
    expect(checkEndpointUrl("http://127.0.0.1:9999/x", { allowLoopback: true }).ok).toBe(true);
    expect(checkEndpointUrl("http://10.0.0.5/x", { allowLoopback: true }).ok).toBe(false);
  });

  it("event type filters", () => {
    expect(matchesEventTypes(["order.*"], "order.paid")).toBe(true);
    expect(matchesEventTypes(["order.paid"], "order.delivered")).toBe(false);
    expect(isSubscribable("order.delivered")).toBe(true);
    expect(isSubscribable("user.created")).toBe(false);
  });

  it("retries for about three days, then stop; disable after persistent failure", () => {
    const total = WEBHOOK_BACKOFF_MS.reduce((a, b) => a + b, 0);
    expect(total / 86_400_000).toBeGreaterThan(2.9);
    expect(total / 86_400_000).toBeLessThan(3.3);
    expect(nextWebhookAttempt(1, 0)).toBe(5_000);
    expect(nextWebhookAttempt(WEBHOOK_BACKOFF_MS.length + 1, 0)).toBeNull();
    expect(shouldDisable(19, 0, 10 * 86_400_000)).toBe(false);
    expect(shouldDisable(20, 0, 3_600_000)).toBe(false);
    expect(shouldDisable(20, 0, 86_400_000)).toBe(true);
  });
});
