// What each notification says, in English and Portuguese. Plain strings with
// {placeholders}; the values come from the order the event belongs to.

import { minorPerMajor } from "../pricing/currency.ts";
import type { Language } from "./preferences.ts";

export const TEMPLATES = {
  kitchen_new_order: {
    en: { title: "New order #{short}", body: "{items} item(s), {total}. Accept it before it expires." },
    pt: { title: "Nova encomenda #{short}", body: "{items} artigo(s), {total}. Aceite antes que expire." },
  },
  courier_offer: {
    en: { title: "Delivery offer", body: "Pick-up at {restaurant}. Answer within 30 seconds." },
    pt: { title: "Proposta de entrega", body: "Recolha em {restaurant}. Responda em 30 segundos." },
  },
  order_confirmed: {
    en: { title: "Order confirmed", body: "{restaurant} has your order #{short} ({total})." },
    pt: { title: "Encomenda confirmada", body: "{restaurant} recebeu a sua encomenda #{short} ({total})." },
  },
  order_accepted: {
    en: { title: "Order accepted", body: "{restaurant} is on it: ready in about {prep} min." },
    pt: { title: "Encomenda aceite", body: "{restaurant} já começou: pronta em cerca de {prep} min." },
  },
  order_rejected: {
    en: { title: "Order not accepted", body: "{restaurant} could not take order #{short}. You will not be charged." },
    pt: {
      title: "Encomenda não aceite",
      body: "{restaurant} não pôde aceitar a encomenda #{short}. Não será cobrado.",
    },
  },
  order_cancelled: {
    en: { title: "Order cancelled", body: "Order #{short} from {restaurant} was cancelled." },
    pt: { title: "Encomenda cancelada", body: "A encomenda #{short} de {restaurant} foi cancelada." },
  },
  courier_assigned: {
    en: { title: "Courier on the way", body: "A courier is heading to {restaurant} for your order." },
    pt: { title: "Estafeta a caminho", body: "Um estafeta vai a {restaurant} buscar a sua encomenda." },
  },
  order_picked_up: {
    en: { title: "Your food is on its way", body: "Order #{short} left {restaurant}." },
    pt: { title: "A sua comida vai a caminho", body: "A encomenda #{short} saiu de {restaurant}." },
  },
  courier_at_door: {
    en: { title: "Your courier is here", body: "Your courier is at the door with order #{short}." },
    pt: { title: "O estafeta chegou", body: "O estafeta está à porta com a encomenda #{short}." },
  },
  order_delivered: {
    en: { title: "Delivered", body: "Enjoy your meal from {restaurant}!" },
    pt: { title: "Entregue", body: "Bom apetite, da parte de {restaurant}!" },
  },
  delivery_failed: {
    en: { title: "Delivery failed", body: "We could not hand over order #{short}. Support will contact you." },
    pt: { title: "Entrega falhada", body: "Não foi possível entregar a encomenda #{short}. O apoio vai contactá-lo." },
  },
  webhook_disabled: {
    en: {
      title: "Webhook endpoint disabled",
      body: "Deliveries to {url} kept failing ({reason}). Fix it, then re-enable it.",
    },
    pt: {
      title: "Endpoint de webhook desativado",
      body: "As entregas para {url} falharam repetidamente ({reason}). Corrija-o e volte a ativá-lo.",
    },
  },
} as const satisfies Record<string, Record<Language, { title: string; body: string }>>;

export type TemplateId = keyof typeof TEMPLATES;

export interface RenderedMessage {
  title: string;
  body: string;
}

export function render(template: TemplateId, language: Language, values: Record<string, string>): RenderedMessage {
  const text = TEMPLATES[template][language];
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
  return { title: fill(text.title), body: fill(text.body) };
}

/** One formatter per locale and currency: building one per message was 4 % of the events consumer's CPU (decision 61). */
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money for a message: "€12.50" / "12,50 €" by language, from minor units. */
export function formatMoney(minor: number, currency: string, language: Language): string {
  const locale = language === "pt" ? "pt-PT" : "en-GB";
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency });
    moneyFormats.set(key, format);
  }
  // Minor units per major by ISO 4217 (100 for EUR, 1 for JPY, 1,000 for KWD), as pricing counts them.
  return format.format(minor / minorPerMajor(currency));
}
