// Operators' view of the dead-letter queue: events the consumer gave up on,
// each with a Replay button that puts it back on the events queue (safe,
// because every projection is idempotent by event id).
import type { ConsoleContext } from "../context.ts";
import { h, replaceChildren, type View } from "../dom.ts";
import { dateTime } from "../format.ts";
import type { DeadLetter } from "../types.ts";

export function deadLettersView(ctx: ConsoleContext): View {
  let disposed = false;
  const includeReplayed = h("input", { id: "dl-include-replayed", type: "checkbox" });
  const content = h("div", { class: "table-wrap", "aria-busy": "true" });
  const el = h(
    "section",
    { class: "dead-letters", "aria-labelledby": "dl-title" },
    h(
      "header",
      { class: "screen-header" },
      h("h1", { id: "dl-title" }, "Dead letters"),
      h("label", { class: "check" }, includeReplayed, " Include replayed"),
      h("button", { type: "button", class: "ghost", onclick: () => void load() }, "Reload"),
    ),
    h(
      "p",
      { class: "muted intro" },
      "Queue messages that failed every retry. Replaying sends one back to the events queue; projections ignore anything they already applied.",
    ),
    content,
  );
  includeReplayed.addEventListener("change", () => void load());

  function summary(body: unknown): string {
    if (typeof body === "object" && body !== null) {
      const b = body as { kind?: unknown; restaurantId?: unknown; event?: { type?: unknown; orderId?: unknown } };
      const parts = [b.kind, b.event?.type, b.event?.orderId ?? b.restaurantId].filter((p) => typeof p === "string");
      if (parts.length > 0) return parts.join(" · ");
    }
    return "message";
  }

  function row(letter: DeadLetter): HTMLElement {
    const status = h(
      "td",
      {},
      letter.replayedAt
        ? h("span", { class: "badge status-delivered" }, `Replayed ${dateTime(letter.replayedAt)}`)
        : "Pending",
    );
    const replay = h(
      "button",
      { type: "button", class: "primary", "aria-label": `Replay dead letter ${letter.id}` },
      letter.replayedAt ? "Replay again" : "Replay",
    );
    replay.addEventListener("click", async () => {
      replay.disabled = true;
      try {
        const updated = await ctx.api.replayDeadLetter(letter.id);
        ctx.announce(`Dead letter ${letter.id} sent back to the ${letter.queue} queue.`);
        replaceChildren(
          status,
          h("span", { class: "badge status-delivered" }, `Replayed ${dateTime(updated.replayedAt ?? Date.now())}`),
        );
        replay.textContent = "Replay again";
      } catch (error) {
        ctx.fail(error);
      } finally {
        replay.disabled = false;
      }
    });
    return h(
      "tr",
      {},
      h("td", {}, String(letter.id)),
      h("td", {}, letter.queue),
      h(
        "td",
        {},
        h(
          "details",
          {},
          h("summary", {}, summary(letter.body)),
          h("pre", { class: "payload" }, JSON.stringify(letter.body, null, 2)),
        ),
      ),
      h("td", { class: "num" }, String(letter.attempts)),
      h("td", {}, h("time", { datetime: letter.receivedAt }, dateTime(letter.receivedAt))),
      status,
      h("td", {}, replay),
    );
  }

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    try {
      const letters = await ctx.api.deadLetters(!includeReplayed.checked);
      if (disposed) return;
      if (letters.length === 0) {
        replaceChildren(content, h("p", { class: "muted empty" }, "No dead letters. Every event was delivered."));
        return;
      }
      replaceChildren(
        content,
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Id", "Queue", "Message", "Attempts", "Received", "Status", ""].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h("tbody", {}, ...letters.map(row)),
        ),
      );
    } catch (error) {
      if (disposed) return;
      ctx.fail(error);
      replaceChildren(content, h("p", { class: "error" }, "The dead letters could not be loaded."));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  }

  void load();
  return {
    el,
    dispose() {
      disposed = true;
    },
  };
}
