// English and European Portuguese. Every string a courier reads is here, so a
// missing translation is a type error rather than an English word on a
// Portuguese screen.
import { createContext, useContext } from "react";

export type Lang = "en" | "pt";

const en = {
  appName: "Courier",
  signInTitle: "Sign in to start your shift",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  notACourier: "This account is not a courier account.",
  signOut: "Sign out",
  language: "Language",
  tabShift: "Shift",
  tabJob: "Job",
  tabEarnings: "Earnings",
  statusOnline: "Online",
  statusBreak: "On a break",
  statusOffline: "Offline",
  goOnline: "Go online",
  takeBreak: "Take a break",
  goOffline: "Go offline",
  backOnline: "Back online",
  finishJobFirst: "Finish or hand back your job before going offline.",
  linkLive: "Connected",
  linkConnecting: "Connecting…",
  linkReconnecting: "Reconnecting…",
  linkNoNetwork: "No network: positions are saved on this phone",
  linkIdle: "Not connected",
  zoneCell: "Zone {cell}",
  waitingForOffers: "Waiting for offers near you",
  onBreakHint: "No offers while you are on a break.",
  offlineHint: "Go online to receive offers.",
  gpsWaiting: "Waiting for GPS…",
  gpsDenied: "Location is blocked. Allow location for this app to go online.",
  gpsUnavailable: "GPS signal lost; trying again.",
  gpsOk: "GPS ±{m} m",
  buffered: "{n} positions waiting to upload",
  allUploaded: "All positions uploaded",
  uploadedCount: "{n} positions sent this shift",
  missedOffers: "Missed offers",
  missedAt: "Missed at {time}",
  newOffer: "New delivery offer",
  pickup: "Pickup",
  dropoff: "Drop-off",
  toRestaurant: "{d} to the restaurant",
  toCustomer: "{d} restaurant → customer",
  payout: "You earn",
  tipIncluded: "tip included",
  secondsLeft: "{s} s left",
  accept: "Accept",
  decline: "Decline",
  offerGone: "That offer is no longer available.",
  offerMissed: "You missed an offer.",
  unknownRestaurant: "Restaurant",
  noJob: "No job right now.",
  noJobHint: "Accepted offers appear here.",
  jobTitle: "Current job",
  openInMaps: "Open in maps",
  items: "Items",
  instructions: "Instructions",
  foodReadyAt: "Food ready about {time}",
  stepArrivedPickup: "I'm at the restaurant",
  stepPickedUp: "I've picked up the order",
  stepArrivedDropoff: "I'm at the drop-off",
  stepDelivered: "Delivered",
  pinLabel: "Customer's 4-digit PIN",
  pinHint: "Ask the customer for the PIN shown in their app.",
  attemptsLeft: "{n} attempts left",
  pinLocked: "Too many wrong PINs. Support has been told and will contact you.",
  tooFar: "You are {d} from the {place}. Get within {r} and try again.",
  placeRestaurant: "restaurant",
  placeDropoff: "drop-off",
  foodNotReady: "The food is not ready yet. Wait at the counter.",
  noPosition: "No GPS position yet. Wait a moment and try again.",
  handBack: "Hand back this job",
  handBackTitle: "Why are you handing this job back?",
  handBackConfirm: "Hand back",
  cancel: "Cancel",
  reason_cannot_find_restaurant: "I can't find the restaurant",
  reason_restaurant_closed: "The restaurant is closed",
  reason_order_not_ready: "The order is taking too long",
  reason_vehicle_problem: "Problem with my vehicle",
  reason_personal_emergency: "Personal emergency",
  reason_other: "Other",
  note: "Note (optional)",
  handedBack: "Job handed back. You'll get new offers.",
  customerNotThere: "Customer not answering?",
  startWaiting: "Start waiting",
  waitingForCustomer: "Waiting for the customer: {t}",
  waitOver: "You waited long enough. If you still can't reach the customer, report it.",
  failDelivery: "Couldn't deliver",
  failTitle: "Report a failed delivery",
  fail_customer_unreachable: "The customer didn't answer",
  fail_address_not_found: "I couldn't find the address",
  photo: "Photo of the door (optional)",
  sendReport: "Send report",
  deliveredDone: "Delivered. Nice work!",
  failedDone: "Delivery reported as failed. You're paid for the job.",
  backToShift: "Back to shift",
  releasedByDispatch: "This job was taken off you.",
  earningsTitle: "Today",
  jobsToday: "{n} jobs",
  jobsTodayOne: "1 job",
  pay: "Pay",
  tips: "Tips",
  total: "Total",
  noEarnings: "No finished jobs today yet.",
  outcomeFailed: "failed delivery",
  refresh: "Refresh",
  loading: "Loading…",
  somethingWrong: "Something went wrong: {m}",
  sessionExpired: "Your session ended. Sign in again.",
} as const;

export type MessageKey = keyof typeof en;

const pt: Record<MessageKey, string> = {
  appName: "Estafeta",
  signInTitle: "Entre para começar o turno",
  email: "Email",
  password: "Palavra-passe",
  signIn: "Entrar",
  signingIn: "A entrar…",
  notACourier: "Esta conta não é de estafeta.",
  signOut: "Sair",
  language: "Idioma",
  tabShift: "Turno",
  tabJob: "Entrega",
  tabEarnings: "Ganhos",
  statusOnline: "Online",
  statusBreak: "Em pausa",
  statusOffline: "Offline",
  goOnline: "Ficar online",
  takeBreak: "Fazer pausa",
  goOffline: "Ficar offline",
  backOnline: "Voltar ao trabalho",
  finishJobFirst: "Termine ou devolva a entrega antes de ficar offline.",
  linkLive: "Ligado",
  linkConnecting: "A ligar…",
  linkReconnecting: "A religar…",
  linkNoNetwork: "Sem rede: as posições ficam guardadas no telemóvel",
  linkIdle: "Desligado",
  zoneCell: "Zona {cell}",
  waitingForOffers: "À espera de ofertas perto de si",
  onBreakHint: "Não recebe ofertas durante a pausa.",
  offlineHint: "Fique online para receber ofertas.",
  gpsWaiting: "À espera do GPS…",
  gpsDenied: "A localização está bloqueada. Permita a localização para ficar online.",
  gpsUnavailable: "Sinal de GPS perdido; a tentar de novo.",
  gpsOk: "GPS ±{m} m",
  buffered: "{n} posições por enviar",
  allUploaded: "Todas as posições enviadas",
  uploadedCount: "{n} posições enviadas neste turno",
  missedOffers: "Ofertas perdidas",
  missedAt: "Perdida às {time}",
  newOffer: "Nova oferta de entrega",
  pickup: "Recolha",
  dropoff: "Entrega",
  toRestaurant: "{d} até ao restaurante",
  toCustomer: "{d} restaurante → cliente",
  payout: "Vai ganhar",
  tipIncluded: "gorjeta incluída",
  secondsLeft: "faltam {s} s",
  accept: "Aceitar",
  decline: "Recusar",
  offerGone: "Essa oferta já não está disponível.",
  offerMissed: "Perdeu uma oferta.",
  unknownRestaurant: "Restaurante",
  noJob: "Sem entregas de momento.",
  noJobHint: "As ofertas aceites aparecem aqui.",
  jobTitle: "Entrega atual",
  openInMaps: "Abrir no mapa",
  items: "Artigos",
  instructions: "Instruções",
  foodReadyAt: "Comida pronta por volta das {time}",
  stepArrivedPickup: "Cheguei ao restaurante",
  stepPickedUp: "Recolhi o pedido",
  stepArrivedDropoff: "Cheguei à morada",
  stepDelivered: "Entregue",
  pinLabel: "PIN de 4 dígitos do cliente",
  pinHint: "Peça ao cliente o PIN que aparece na app dele.",
  attemptsLeft: "Restam {n} tentativas",
  pinLocked: "Demasiados PIN errados. O apoio foi avisado e vai contactá-lo.",
  tooFar: "Está a {d} do {place}. Aproxime-se a menos de {r} e tente de novo.",
  placeRestaurant: "restaurante",
  placeDropoff: "local de entrega",
  foodNotReady: "A comida ainda não está pronta. Aguarde no balcão.",
  noPosition: "Ainda sem posição GPS. Aguarde um momento e tente de novo.",
  handBack: "Devolver esta entrega",
  handBackTitle: "Porque está a devolver esta entrega?",
  handBackConfirm: "Devolver",
  cancel: "Cancelar",
  reason_cannot_find_restaurant: "Não encontro o restaurante",
  reason_restaurant_closed: "O restaurante está fechado",
  reason_order_not_ready: "O pedido está a demorar demasiado",
  reason_vehicle_problem: "Problema com o veículo",
  reason_personal_emergency: "Emergência pessoal",
  reason_other: "Outro",
  note: "Nota (opcional)",
  handedBack: "Entrega devolvida. Vai receber novas ofertas.",
  customerNotThere: "O cliente não responde?",
  startWaiting: "Começar a esperar",
  waitingForCustomer: "À espera do cliente: {t}",
  waitOver: "Já esperou o suficiente. Se continuar sem contacto, reporte.",
  failDelivery: "Não foi possível entregar",
  failTitle: "Reportar entrega falhada",
  fail_customer_unreachable: "O cliente não respondeu",
  fail_address_not_found: "Não encontrei a morada",
  photo: "Foto da porta (opcional)",
  sendReport: "Enviar",
  deliveredDone: "Entregue. Bom trabalho!",
  failedDone: "Entrega reportada como falhada. A entrega é-lhe paga.",
  backToShift: "Voltar ao turno",
  releasedByDispatch: "Esta entrega foi-lhe retirada.",
  earningsTitle: "Hoje",
  jobsToday: "{n} entregas",
  jobsTodayOne: "1 entrega",
  pay: "Pagamento",
  tips: "Gorjetas",
  total: "Total",
  noEarnings: "Ainda sem entregas concluídas hoje.",
  outcomeFailed: "entrega falhada",
  refresh: "Atualizar",
  loading: "A carregar…",
  somethingWrong: "Algo correu mal: {m}",
  sessionExpired: "A sessão terminou. Entre de novo.",
};

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, pt };

export const LOCALES: Record<Lang, string> = { en: "en-GB", pt: "pt-PT" };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table = MESSAGES[lang];
  return (key, vars) => {
    let text = table[key];
    if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
    return text;
  };
}

const STORAGE_KEY = "edge-delivery.courier.lang";

export function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "pt") return saved;
  return navigator.language.toLowerCase().startsWith("pt") ? "pt" : "en";
}

export function saveLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = LOCALES[lang];
}

export interface I18n {
  lang: Lang;
  t: Translate;
  setLang(lang: Lang): void;
}

export const I18nContext = createContext<I18n>({ lang: "en", t: translator("en"), setLang: () => {} });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
