// The mailbox page: every e-mail, SMS and push the stand-in received, newest first.
export type MessageKind = "email" | "sms" | "push";

export interface StoredMessage {
  id: string;
  kind: MessageKind;
  to: string;
  subject: string;
  body: string;
  at: number;
  meta: Record<string, unknown>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

export function mailboxPage(messages: readonly StoredMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (
        m,
      ) => `<tr><td>${escapeHtml(new Date(m.at).toISOString().slice(11, 23))}</td><td class="k-${m.kind}">${m.kind}</td>
<td>${escapeHtml(m.to)}</td><td><strong>${escapeHtml(m.subject)}</strong><br>${escapeHtml(m.body)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="3"><title>Local mailbox: Edge Delivery</title>
<style>body{font:15px system-ui,sans-serif;margin:1rem;color:#1a1a1a}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
.k-email{color:#0b5394}.k-sms{color:#38761d}.k-push{color:#990000}</style></head>
<body><h1>Local mailbox</h1><p>E-mail (SendGrid v3 shape), SMS (Twilio shape) and web push (decrypted) the platform sent. ${messages.length} message(s); refreshes every 3 s.</p>
<table><thead><tr><th>Time (UTC)</th><th>Kind</th><th>To</th><th>Message</th></tr></thead><tbody>
${rows || '<tr><td colspan="4">Nothing yet.</td></tr>'}
</tbody></table></body></html>`;
}
