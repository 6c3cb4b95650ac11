// The three channels, each through its provider's real HTTP API shape:
// email as SendGrid's v3 mail/send, SMS as Twilio's Messages resource, web
// push as RFC 8030 with VAPID (RFC 8292) and aes128gcm payload encryption
// (RFC 8291, WebCrypto, web-push.ts). Locally and in tests the
// base URLs point at scripts/dev/notify-standin, which speaks all three.
import type { Env } from "../env.ts";

/** The settings the channels read; a channel left unset is not sent (the queue consumer lends only these). */
export type ChannelEnv = Pick<
  Env,
  | "EMAIL_API_BASE"
  | "EMAIL_API_KEY"
  | "EMAIL_FROM"
  | "TWILIO_API_BASE"
  | "TWILIO_ACCOUNT_SID"
  | "TWILIO_AUTH_TOKEN"
  | "TWILIO_FROM"
  | "VAPID_PRIVATE_JWK"
  | "VAPID_SUBJECT"
>;

import { encryptPayload, vapidAuthorization } from "./web-push.ts";

export type SendResult =
  | { ok: true; ref: string | null }
  /** `retry`: worth trying again later. `gone`: the push subscription no longer exists. */
  | { ok: false; retry: boolean; error: string; gone?: boolean };

const TIMEOUT_MS = 5_000;

export interface OutgoingMessage {
  title: string;
  body: string;
  url: string;
  tag: string;
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function failure(res: Response, what: string): Promise<SendResult> {
  const text = (await res.text().catch(() => "")).slice(0, 200);
  return { ok: false, retry: retryable(res.status), error: `${what} ${res.status}: ${text}` };
}

function unreachable(err: unknown, what: string): SendResult {
  return { ok: false, retry: true, error: `${what} unreachable: ${String(err).slice(0, 200)}` };
}

export function emailConfigured(env: ChannelEnv): boolean {
  return !!env.EMAIL_API_KEY;
}

export async function sendEmail(env: ChannelEnv, to: string, message: OutgoingMessage): Promise<SendResult> {
  const base = env.EMAIL_API_BASE || "https://api.sendgrid.com";
  try {
    const res = await fetch(`${base}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.EMAIL_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: to }] }],
        from: { email: env.EMAIL_FROM || "no-reply@edge-delivery.example", name: "Edge Delivery" },
        subject: message.title,
        content: [{ type: "text/plain", value: `${message.body}\n\n${message.url}` }],
        custom_args: { tag: message.tag },
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status !== 202 && res.status !== 200) return failure(res, "email");
    return { ok: true, ref: res.headers.get("x-message-id") };
  } catch (err) {
    return unreachable(err, "email");
  }
}

export function smsConfigured(env: ChannelEnv): boolean {
  return !!(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM);
}

export async function sendSms(env: ChannelEnv, to: string, message: OutgoingMessage): Promise<SendResult> {
  const base = env.TWILIO_API_BASE || "https://api.twilio.com";
  const sid = env.TWILIO_ACCOUNT_SID ?? "";
  try {
    const res = await fetch(`${base}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${sid}:${env.TWILIO_AUTH_TOKEN}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: to, From: env.TWILIO_FROM ?? "", Body: `${message.title}: ${message.body}` }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status !== 201 && res.status !== 200) return failure(res, "sms");
    const json = (await res.json().catch(() => ({}))) as { sid?: string };
    return { ok: true, ref: json.sid ?? null };
  } catch (err) {
    return unreachable(err, "sms");
  }
}

export function pushConfigured(env: ChannelEnv): boolean {
  return !!env.VAPID_PRIVATE_JWK;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Must-go messages are sent with high urgency and a short TTL: an offer is worthless after 30 s. */
export async function sendPush(
  env: ChannelEnv,
  target: PushTarget,
  message: OutgoingMessage,
  options: { urgent: boolean },
): Promise<SendResult> {
  try {
    const payload = new TextEncoder().encode(
      JSON.stringify({ title: message.title, body: message.body, url: message.url, tag: message.tag }),
    );
    const body = await encryptPayload(payload, target);
    const authorization = await vapidAuthorization(
      target.endpoint,
      env.VAPID_PRIVATE_JWK as string,
      env.VAPID_SUBJECT || "mailto:ops@edge-delivery.example",
    );
    const res = await fetch(target.endpoint, {
      method: "POST",
      headers: {
        authorization,
        "content-encoding": "aes128gcm",
        "content-type": "application/octet-stream",
        ttl: String(options.urgent ? 60 : 24 * 3600),
        urgency: options.urgent ? "high" : "normal",
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 404 || res.status === 410) {
      return { ok: false, retry: false, gone: true, error: `push subscription gone (${res.status})` };
    }
    if (res.status < 200 || res.status >= 300) return failure(res, "push");
    return { ok: true, ref: res.headers.get("location") };
  } catch (err) {
    return unreachable(err, "push");
  }
}
