// The demo city's slot-based merchant: a neighbourhood grocery that delivers
// in one-hour windows with a capacity each, and counts its stock. Pure data;
// `index.ts` writes the restaurant row (with its slot templates) and
// `seedMerchantStock` gives the Restaurant DO its opening counts once the
// Worker runs, since live stock lives in that object and not in Postgres.
import type { SlotPolicy } from "../../domain/kitchen/slots.ts";
import type { OpeningHours } from "../schema.ts";
import type { RestaurantSpec } from "./demo-city.ts";

export interface SlotMerchantSpec extends RestaurantSpec {
  deliverySlots: SlotPolicy;
  /** Opening stock by item name; items not named are not counted. */
  stock: Readonly<Record<string, number>>;
}

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6] as const;
const WINDOWS = [
  ["09:00", "10:00", 6],
  ["11:00", "12:00", 6],
  ["13:00", "14:00", 4],
  ["17:00", "18:00", 8],
  ["19:00", "20:00", 8],
  ["21:00", "22:00", 4],
] as const;

// The shop is staffed from early morning to late evening; slots are its delivery windows.
const SHOP_HOURS: OpeningHours = EVERY_DAY.map((day) => ({ day, open: "08:00", close: "22:30" }));

export const GROCERY: SlotMerchantSpec = {
  slug: "mercearia-do-bairro",
  name: "Mercearia do Bairro",
  description:
    "Neighbourhood grocery in Campo de Ourique: fresh bread, fruit, dairy and pantry staples, delivered in a slot.",
  cuisines: ["grocery"],
  address: "Rua Ferreira Borges 84, 1350-163 Lisboa",
  lat: 38.7178,
  lng: -9.1653,
  openingHours: SHOP_HOURS,
  prepTimeMinutes: 20,
  deliveryRadiusM: 5000,
  modifiers: {
    ripeness: {
      name: "Ripeness",
      min: 0,
      max: 1,
      options: [
        ["Ripe, for today", 0],
        ["Firm, for later", 0],
      ],
    },
  },
  menu: [
    {
      name: "Padaria",
      items: [
        ["Pão de Mafra", "Rustic wheat loaf from Mafra, about 500 g", 260],
        ["Broa de milho", "Cornbread from the Minho, about 600 g", 320],
        ["Papo-secos (6)", "Crusty white rolls, baked this morning", 180],
      ],
    },
    {
      name: "Fruta e legumes",
      items: [
        ["Bananas da Madeira (1 kg)", "Small, sweet bananas from Madeira", 249, "ripeness"],
        ["Maçãs de Alcobaça (1 kg)", "Crisp Alcobaça apples", 229],
        ["Tomate chucha (500 g)", "Ribatejo plum tomatoes", 199],
        ["Alface (1)", "Butterhead lettuce", 99],
      ],
    },
    {
      name: "Lacticínios",
      items: [
        ["Leite meio-gordo (1 l)", "Semi-skimmed UHT milk", 95],
        ["Iogurte natural (4)", "Plain yoghurts, 4 × 120 g", 189],
        ["Manteiga com sal (250 g)", "Salted butter from the Azores", 359],
        ["Queijo flamengo fatiado (200 g)", "Sliced mild cheese", 269],
      ],
    },
    {
      name: "Mercearia",
      items: [
        ["Azeite virgem extra (75 cl)", "Extra virgin olive oil from Alentejo", 899],
        ["Arroz carolino (1 kg)", "Portuguese round rice, for arroz de pato or doce", 179],
        ["Café moído (250 g)", "Ground coffee, Delta-style roast", 429],
        ["Atum em azeite (3)", "Tuna in olive oil, 3 tins", 449],
      ],
    },
  ],
  deliverySlots: {
    templates: EVERY_DAY.flatMap((day) => WINDOWS.map(([start, end, capacity]) => ({ day, start, end, capacity }))),
    cutoffMinutes: 60,
    daysAhead: 3,
  },
  stock: {
    "Pão de Mafra": 20,
    "Broa de milho": 12,
    "Papo-secos (6)": 30,
    "Bananas da Madeira (1 kg)": 25,
    "Maçãs de Alcobaça (1 kg)": 25,
    "Tomate chucha (500 g)": 18,
    "Alface (1)": 15,
    "Leite meio-gordo (1 l)": 48,
    "Iogurte natural (4)": 24,
    "Manteiga com sal (250 g)": 12,
    "Queijo flamengo fatiado (200 g)": 10,
    "Azeite virgem extra (75 cl)": 8,
    "Café moído (250 g)": 14,
    "Atum em azeite (3)": 20,
  },
};

/** Every merchant the demo seed writes: the restaurants, then the slot-based grocery. */
export const SLOT_MERCHANTS: readonly SlotMerchantSpec[] = [GROCERY];
