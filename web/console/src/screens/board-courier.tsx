// The courier line on a board card: who is coming for the order and when they
// reach the counter, from the order's live estimate (the Order DO refreshes it
// on the board as the courier moves, without an event of its own).
import type { Schemas } from "../../../shared/api/index.ts";
import { useI18n } from "../i18n.ts";

type BoardOrder = Schemas["BoardOrder"];

/**
 * Whether a pushed summary replaces the one shown: a later event always; the
 * same event only with a later courier estimate (as the Restaurant DO decides).
 */
export function summaryIsNewer(shown: BoardOrder, incoming: BoardOrder): boolean {
  if (incoming.lastSeq !== shown.lastSeq) return incoming.lastSeq > shown.lastSeq;
  const before = shown.courier ? Date.parse(shown.courier.at) : 0;
  const after = incoming.courier ? Date.parse(incoming.courier.at) : 0;
  return after > before;
}

/** Shown once the kitchen has accepted: before that there is no courier to speak of. */
export function CourierLine(props: { order: BoardOrder; now: number }) {
  const { order, now } = props;
  const { t, fmt } = useI18n();
  if (order.status === "paid" || order.status === "placed") return null;
  const courier = order.courier ?? null;
  let who: string;
  let when: string | null = null;
  switch (order.delivery) {
    case "searching":
    case "offered":
      who = t("courier.searching");
      break;
    case "assigned":
      who = courier?.name ? t("courier.named", { name: courier.name }) : t("courier.assigned");
      if (courier?.arrivesAt) {
        const minutes = Math.round((Date.parse(courier.arrivesAt) - now) / 60_000);
        when =
          minutes <= 0
            ? t("courier.arrivingNow")
            : t("courier.arrives", { time: fmt.clock(courier.arrivesAt), minutes });
      }
      break;
    case "at_pickup":
      who = courier?.name ? t("courier.named", { name: courier.name }) : t("courier.assigned");
      when = t("courier.atCounter");
      break;
    case "picked_up":
    case "at_dropoff":
      who = courier?.name ? t("courier.named", { name: courier.name }) : t("courier.assigned");
      when = t("courier.pickedUp");
      break;
    default:
      return null;
  }
  return (
    <span className="card-courier" data-testid="card-courier" data-delivery={order.delivery}>
      <span className="courier-who">{who}</span>
      {when ? <span className="courier-when">{` · ${when}`}</span> : null}
    </span>
  );
}
