// The console's strings for the courier on the board's cards and for partner
// webhooks (endpoints and their delivery log). Merged into i18n.ts; the
// Portuguese dictionary is typed from the English one, so a missing key does
// not compile.

export const PARTNERS_EN = {
  "courier.searching": "Finding a courier",
  "courier.assigned": "Courier assigned",
  "courier.named": "Courier: {name}",
  "courier.arrives": "arrives {time} ({minutes} min)",
  "courier.arrivingNow": "arriving now",
  "courier.atCounter": "at the counter",
  "courier.pickedUp": "picked up",
};

export const PARTNERS_PT: Record<keyof typeof PARTNERS_EN, string> = {
  "courier.searching": "À procura de estafeta",
  "courier.assigned": "Estafeta atribuído",
  "courier.named": "Estafeta: {name}",
  "courier.arrives": "chega às {time} ({minutes} min)",
  "courier.arrivingNow": "a chegar",
  "courier.atCounter": "ao balcão",
  "courier.pickedUp": "recolhida",
};
