// The local stand-in for everything the notification service talks to:
//   POST /v3/mail/send                               e-mail, SendGrid's v3 API shape (Bearer key)
//   POST /2010-04-01/Accounts/{sid}/Messages.json    SMS, Twilio's REST shape (Basic sid:token, form body)
//   POST /push/subscriptions, POST /push/send/{id}   a web push service that decrypts (push-service.ts)
//   POST /partners/{name}                            a partner's webhook receiver that verifies each
//                                                    delivery with the `standardwebhooks` library
//   GET  /                                           the mailbox page; GET /messages the same as JSON
// Test controls: POST /control/fail {kind, count, status}, DELETE /messages,
// PUT /partners/{name}/secret {secret}, GET /partners/{name}/received,
// POST /push/subscriptions/{id}/expire.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { mailboxPage, type StoredMessage } from "./page.ts";
import { PushService } from "./push-service.ts";

export type { MessageKind, StoredMessage } from "./page.ts";

export interface PartnerDelivery {
  webhookId: string;
  timestamp: string;
  verified: boolean;
  duplicate: boolean;
  error: string | null;
  type: string | null;
  body: string;
  at: number;
}

export interface NotifyStandinOptions {
  port?: number;
  emailApiKey: string;
  twilioSid: string;
  twilioToken: string;
  log?: (line: string) => void;
}

export interface NotifyStandin {
  url: string;
  messages: StoredMessage[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startNotifyStandin(options: NotifyStandinOptions): Promise<NotifyStandin> {
  const messages: StoredMessage[] = [];
  const failures = new Map<string, { count: number; status: number }>();
  const partners = new Map<string, { secret: string | null; received: PartnerDelivery[]; seen: Set<string> }>();
  let base = "";
  const push = new PushService(() => base);
  const log = options.log ?? (() => {});

  const injected = (kind: string): number | null => {
    const f = failures.get(kind);
    if (!f || f.count <= 0) return null;
    f.count--;
    return f.status;
  };
  const store = (m: Omit<StoredMessage, "id" | "at">) => {
    const stored = { ...m, id: randomUUID(), at: Date.now() };
    messages.push(stored);
    if (messages.length > 5000) messages.shift();
    log(`${m.kind} to ${m.to}: ${m.subject}`);
    return stored;
  };
  const partner = (name: string) => {
    let p = partners.get(name);
    if (!p) {
      p = { secret: null, received: [], seen: new Set() };
      partners.set(name, p);
    }
    return p;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://standin");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(mailboxPage(messages));
      return;
    }
    if (method === "GET" && path === "/messages") {
      const kind = url.searchParams.get("kind");
      const to = url.searchParams.get("to");
      json(res, 200, { messages: messages.filter((m) => (!kind || m.kind === kind) && (!to || m.to === to)) });
      return;
    }
    if (method === "DELETE" && path === "/messages") {
      messages.length = 0;
      res.writeHead(204).end();
      return;
    }
    if (method === "POST" && path === "/control/fail") {
      const { kind, count, status } = JSON.parse((await readBody(req)).toString()) as {
        kind: string;
        count: number;
        status: number;
      };
      failures.set(kind, { count, status });
      res.writeHead(204).end();
      return;
    }
    if (method === "POST" && path === "/v3/mail/send") {
      if (req.headers.authorization !== `Bearer ${options.emailApiKey}`) {
        json(res, 401, { errors: [{ message: "The provided authorization grant is invalid." }] });
        return;
      }
      const fail = injected("email");
      if (fail) return json(res, fail, { errors: [{ message: "injected failure" }] });
      const mail = JSON.parse((await readBody(req)).toString()) as {
        personalizations?: Array<{ to?: Array<{ email?: string }> }>;
        subject?: string;
        content?: Array<{ value?: string }>;
        from?: { email?: string };
      };
      const to = mail.personalizations?.[0]?.to?.[0]?.email;
      if (!to || !mail.subject || !mail.from?.email) {
        return json(res, 400, { errors: [{ message: "personalizations, from and subject are required" }] });
      }
      const stored = store({
        kind: "email",
        to,
        subject: mail.subject,
        body: mail.content?.[0]?.value ?? "",
        meta: { from: mail.from.email },
      });
      res.writeHead(202, { "x-message-id": stored.id }).end();
      return;
    }
    const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (method === "POST" && twilio) {
      const expected = `Basic ${Buffer.from(`${options.twilioSid}:${options.twilioToken}`).toString("base64")}`;
      if (twilio[1] !== options.twilioSid || req.headers.authorization !== expected) {
        return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
      }
      const fail = injected("sms");
      if (fail) return json(res, fail, { code: 20500, message: "injected failure", status: fail });
      const form = new URLSearchParams((await readBody(req)).toString());
      const to = form.get("To");
      const body = form.get("Body");
      if (!to || !body || !form.get("From"))
        return json(res, 400, { code: 21604, message: "'To', 'From' and 'Body' are required", status: 400 });
      const sid = `SM${randomUUID().replaceAll("-", "")}`;
      store({ kind: "sms", to, subject: "SMS", body, meta: { sid, from: form.get("From") } });
      return json(res, 201, {
        sid,
        status: "queued",
        to,
        from: form.get("From"),
        body,
        account_sid: options.twilioSid,
      });
    }
    if (method === "POST" && path === "/push/subscriptions") return json(res, 201, push.subscribe());
    const expire = /^\/push\/subscriptions\/([^/]+)\/expire$/.exec(path);
    if (method === "POST" && expire) return void res.writeHead(push.expire(expire[1] ?? "") ? 204 : 404).end();
    const pushSend = /^\/push\/send\/([^/]+)$/.exec(path);
    if (method === "POST" && pushSend) {
      const fail = injected("push");
      if (fail) return void res.writeHead(fail).end();
      const result = await push.receive(pushSend[1] ?? "", req.headers, await readBody(req));
      if (result.status !== 201) return json(res, result.status, { error: result.error });
      const p = result.payload as { title?: string; body?: string; url?: string; tag?: string };
      const stored = store({
        kind: "push",
        to: pushSend[1] ?? "",
        subject: p.title ?? "",
        body: p.body ?? "",
        meta: { url: p.url, tag: p.tag, urgency: result.urgency, ttl: result.ttl },
      });
      res.writeHead(201, { location: `${base}/push/messages/${stored.id}` }).end();
      return;
    }
    const partnerPath = /^\/partners\/([\w-]+)(\/secret|\/received)?$/.exec(path);
    if (partnerPath) {
      const p = partner(partnerPath[1] ?? "");
      if (method === "PUT" && partnerPath[2] === "/secret") {
        p.secret = (JSON.parse((await readBody(req)).toString()) as { secret: string }).secret;
        return void res.writeHead(204).end();
      }
      if (method === "GET" && partnerPath[2] === "/received") return json(res, 200, { received: p.received });
      if (method === "POST" && !partnerPath[2]) {
        const body = (await readBody(req)).toString("utf8");
        const headers = {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        };
        const record: PartnerDelivery = {
          webhookId: headers["webhook-id"],
          timestamp: headers["webhook-timestamp"],
          verified: false,
          duplicate: false,
          error: null,
          type: null,
          body,
          at: Date.now(),
        };
        try {
          if (!p.secret) throw new Error("no secret set for this partner");
          const payload = new Webhook(p.secret).verify(body, headers) as { type?: string };
          record.verified = true;
          record.type = payload.type ?? null;
          // The spec's advice against replays inside the tolerance window: remember the ids seen.
          record.duplicate = p.seen.has(record.webhookId);
          p.seen.add(record.webhookId);
        } catch (err) {
          record.error = err instanceof Error ? err.message : String(err);
        }
        p.received.push(record);
        const fail = record.verified ? injected(`partner:${partnerPath[1]}`) : null;
        if (fail) return json(res, fail, { error: "injected failure" });
        return json(res, record.verified ? 200 : 401, {
          ok: record.verified,
          duplicate: record.duplicate,
          error: record.error,
        });
      }
    }
    json(res, 404, { error: `no route ${method} ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
