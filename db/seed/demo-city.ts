// The demo city: Lisbon. Pure data, no I/O; `index.ts` turns it into rows.
// Names are invented but plausible; streets, postcodes and coordinates are
// real Lisbon neighbourhoods so distance, radius and zone logic behave as they
// would in production.
import type { OpeningHours } from "../schema.ts";

export const CITY = {
  name: "Lisbon",
  timeZone: "Europe/Lisbon",
  currency: "EUR",
} as const;

export interface ModifierGroupSpec {
  name: string;
  min: number;
  max: number;
  /** [name, price delta in cents] */
  options: readonly (readonly [string, number])[];
}

/** [name, description, price in cents, ...keys into the restaurant's modifier groups] */
export type ItemSpec = readonly [string, string, number, ...string[]];

export interface CategorySpec {
  name: string;
  items: readonly ItemSpec[];
}

export interface RestaurantSpec {
  slug: string;
  name: string;
  description: string;
  cuisines: readonly string[];
  address: string;
  lat: number;
  lng: number;
  openingHours: OpeningHours;
  prepTimeMinutes: number;
  deliveryRadiusM: number;
  modifiers: Readonly<Record<string, ModifierGroupSpec>>;
  menu: readonly CategorySpec[];
}

export interface ZoneSpec {
  name: string;
  polygon: { type: "Polygon"; coordinates: number[][][] };
  baseDeliveryFeeMinor: number;
  perKmFeeMinor: number;
  serviceFeeBps: number;
  taxBps: number;
}

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6] as const;
const TUE_TO_SUN = [0, 2, 3, 4, 5, 6] as const;
const MON_TO_SAT = [1, 2, 3, 4, 5, 6] as const;

/** One slot per (day, range); ranges never cross midnight so each slot belongs to exactly one day. */
function weekly(days: readonly number[], ...ranges: readonly (readonly [string, string])[]): OpeningHours {
  return days.flatMap((day) => ranges.map(([open, close]) => ({ day, open, close })));
}

const LUNCH_AND_DINNER = weekly(TUE_TO_SUN, ["12:00", "15:00"], ["19:00", "23:00"]);
const ALL_DAY = weekly(EVERY_DAY, ["11:30", "23:00"]);
// Open around the clock (open == close means 24 h), so a demo works at any hour.
const ROUND_THE_CLOCK = weekly(EVERY_DAY, ["00:00", "00:00"]);

// Shared groups; restaurant-specific ones are declared next to their menu.
const SPICE: ModifierGroupSpec = {
  name: "Spice level",
  min: 1,
  max: 1,
  options: [
    ["Mild", 0],
    ["Medium", 0],
    ["Hot", 0],
    ["Very hot", 0],
  ],
};
const SOFT_DRINK: ModifierGroupSpec = {
  name: "Size",
  min: 1,
  max: 1,
  options: [
    ["33 cl", 0],
    ["50 cl", 90],
  ],
};
const BREAD: ModifierGroupSpec = {
  name: "Side",
  min: 0,
  max: 1,
  options: [
    ["Bread and olives", 250],
    ["Green salad", 300],
  ],
};

export const ZONE: ZoneSpec = {
  name: "Lisbon Centre",
  // [lng, lat]; the southern edge follows the Tagus from Belém to Xabregas.
  polygon: {
    type: "Polygon",
    coordinates: [
      [
        [-9.215, 38.694],
        [-9.17, 38.699],
        [-9.135, 38.704],
        [-9.1, 38.72],
        [-9.085, 38.745],
        [-9.095, 38.772],
        [-9.17, 38.775],
        [-9.215, 38.76],
        [-9.215, 38.694],
      ],
    ],
  },
  baseDeliveryFeeMinor: 199,
  perKmFeeMinor: 50,
  serviceFeeBps: 500,
  // Portuguese VAT on prepared food for delivery (intermediate rate, 13%).
  taxBps: 1300,
};

export const RESTAURANTS: readonly RestaurantSpec[] = [
  {
    slug: "tasca-da-graca",
    name: "Tasca da Graça",
    description: "Family tasca above the miradouro: Portuguese home cooking, grilled fish and a short wine list.",
    cuisines: ["portuguese"],
    address: "Largo da Graça 12, 1170-165 Lisboa",
    lat: 38.7169,
    lng: -9.1311,
    openingHours: LUNCH_AND_DINNER,
    prepTimeMinutes: 25,
    deliveryRadiusM: 4000,
    modifiers: {
      bread: BREAD,
      doneness: {
        name: "Doneness",
        min: 1,
        max: 1,
        options: [
          ["Rare", 0],
          ["Medium", 0],
          ["Well done", 0],
        ],
      },
      egg: {
        name: "Extras",
        min: 0,
        max: 2,
        options: [
          ["Fried egg", 120],
          ["Extra fries", 200],
        ],
      },
    },
    menu: [
      {
        name: "Petiscos",
        items: [
          ["Pastéis de bacalhau (4)", "Salt cod fritters with parsley and onion", 550],
          ["Peixinhos da horta", "Tempura-style green beans, the ancestor of Japanese tempura", 480],
          ["Chouriço assado", "Flame-grilled smoked sausage, served with bread", 650, "bread"],
          ["Queijo da Serra", "Soft sheep's cheese from Serra da Estrela, 150 g", 890],
        ],
      },
      {
        name: "Pratos",
        items: [
          ["Bacalhau à Brás", "Shredded salt cod, matchstick potatoes, egg, black olives", 1350, "bread"],
          ["Bitoque", "Pan-fried steak with garlic, fried egg, rice and fries", 1290, "doneness", "egg"],
          ["Arroz de pato", "Oven-baked duck rice with chouriço crust", 1380],
          ["Carne de porco à alentejana", "Pork and clams with fried potato cubes and coriander", 1450],
          ["Polvo à lagareiro", "Roasted octopus, punched potatoes, olive oil and garlic", 1790],
          ["Dourada grelhada", "Grilled sea bream, boiled potatoes and vegetables", 1590, "bread"],
        ],
      },
      {
        name: "Sobremesas",
        items: [
          ["Arroz doce", "Lemon and cinnamon rice pudding", 390],
          ["Mousse de chocolate", "Dense dark chocolate mousse", 420],
          ["Pudim flan", "Caramel custard", 390],
          ["Baba de camelo", "Condensed-milk mousse with crushed biscuit", 420],
        ],
      },
    ],
  },
  {
    slug: "mar-do-tejo",
    name: "Mar do Tejo Marisqueira",
    description: "Seafood house by the Cais do Sodré market: clams, prawns, grilled fish and seafood rice.",
    cuisines: ["seafood", "portuguese"],
    address: "Rua de São Paulo 40, 1200-427 Lisboa",
    lat: 38.7073,
    lng: -9.1451,
    openingHours: weekly(EVERY_DAY, ["12:00", "16:00"], ["19:00", "23:30"]),
    prepTimeMinutes: 30,
    deliveryRadiusM: 4500,
    modifiers: {
      portion: {
        name: "Portion",
        min: 1,
        max: 1,
        options: [
          ["For one", 0],
          ["For two", 1600],
        ],
      },
      bread: BREAD,
    },
    menu: [
      {
        name: "Mariscos",
        items: [
          ["Amêijoas à Bulhão Pato", "Clams with garlic, coriander, white wine and lemon", 1650, "bread"],
          ["Gambas ao alhinho", "Prawns sizzled in olive oil, garlic and chilli", 1490, "bread"],
          ["Sapateira recheada", "Dressed brown crab with its own pâté and toast", 2200],
          ["Percebes (200 g)", "Goose barnacles from the Alentejo coast, simply boiled", 2800],
          ["Mexilhões à espanhola", "Mussels with onion, pepper and tomato", 1190],
        ],
      },
      {
        name: "Peixe",
        items: [
          ["Arroz de marisco", "Soupy seafood rice with prawns, clams and mussels", 2150, "portion"],
          ["Cataplana de peixe", "Monkfish and prawns stewed in a copper cataplana", 2390, "portion"],
          ["Robalo grelhado", "Grilled sea bass, boiled potatoes and greens", 1790],
          ["Sardinhas assadas", "Five grilled sardines on bread with roasted peppers", 1250],
          ["Filetes de pescada", "Hake fillets in batter with tomato rice", 1390],
        ],
      },
      {
        name: "Sobremesas",
        items: [
          ["Tarte de amêndoa", "Almond tart", 450],
          ["Leite creme", "Burnt-sugar custard", 420],
          ["Sericaia com ameixa de Elvas", "Alentejo egg cake with Elvas plums", 480],
        ],
      },
      {
        name: "Bebidas",
        items: [
          ["Vinho verde (75 cl)", "Fresh, lightly sparkling white from the Minho", 1400],
          ["Água das Pedras", "Sparkling mineral water, 25 cl", 220],
        ],
      },
    ],
  },
  {
    slug: "forno-napoletano",
    name: "Forno Napoletano",
    description: "Wood-fired Neapolitan pizza with a 48-hour dough, San Marzano tomatoes and fior di latte.",
    cuisines: ["pizza", "italian"],
    address: "Rua da Escola Politécnica 88, 1250-102 Lisboa",
    lat: 38.7168,
    lng: -9.1503,
    openingHours: ROUND_THE_CLOCK,
    prepTimeMinutes: 15,
    deliveryRadiusM: 5000,
    modifiers: {
      size: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Classic 30 cm", 0],
          ["Large 36 cm", 350],
        ],
      },
      toppings: {
        name: "Extra toppings",
        min: 0,
        max: 3,
        options: [
          ["Buffalo mozzarella", 250],
          ["Prosciutto crudo", 300],
          ["Nduja", 250],
          ["Mushrooms", 150],
          ["Rocket", 100],
          ["Black olives", 100],
        ],
      },
      dip: {
        name: "Dips",
        min: 0,
        max: 2,
        options: [
          ["Chilli oil", 80],
          ["Garlic mayo", 80],
          ["Pesto", 120],
        ],
      },
      drink: SOFT_DRINK,
    },
    menu: [
      {
        name: "Pizze rosse",
        items: [
          ["Marinara", "Tomato, garlic, oregano, extra virgin olive oil", 800, "size", "toppings", "dip"],
          ["Margherita", "Tomato, fior di latte, basil, olive oil", 950, "size", "toppings", "dip"],
          ["Diavola", "Tomato, fior di latte, spicy salame, chilli", 1250, "size", "toppings", "dip"],
          ["Capricciosa", "Tomato, fior di latte, ham, mushrooms, artichoke, olives", 1350, "size", "toppings", "dip"],
          ["Napoli", "Tomato, fior di latte, anchovies, capers, oregano", 1200, "size", "toppings", "dip"],
        ],
      },
      {
        name: "Pizze bianche",
        items: [
          ["Quattro formaggi", "Fior di latte, gorgonzola, parmigiano, smoked provola", 1390, "size", "toppings"],
          ["Salsiccia e friarielli", "Fennel sausage, wild broccoli, smoked provola", 1450, "size", "toppings"],
          ["Mortadella e pistacchio", "Mortadella, stracciatella, pistachio pesto", 1550, "size", "toppings"],
        ],
      },
      {
        name: "Antipasti",
        items: [
          ["Burrata", "Burrata with cherry tomatoes and basil oil", 950],
          ["Arancini (3)", "Fried risotto balls with ragù and mozzarella", 750],
          ["Focaccia al rosmarino", "Wood-fired focaccia, rosemary and sea salt", 450],
        ],
      },
      {
        name: "Dolci e bevande",
        items: [
          ["Tiramisù", "Mascarpone, savoiardi, espresso, cocoa", 550],
          ["Cannolo siciliano", "Crisp shell filled with sweet ricotta and pistachio", 450],
          ["San Pellegrino Aranciata", "Italian sparkling orange", 280, "drink"],
          ["Peroni", "Italian lager, 33 cl", 350],
        ],
      },
    ],
  },
  {
    slug: "burguer-da-esquina",
    name: "Burguer da Esquina",
    description: "Smash burgers from dry-aged Portuguese beef, hand-cut fries and thick shakes.",
    cuisines: ["burgers", "american"],
    address: "Avenida da República 45, 1050-187 Lisboa",
    lat: 38.7386,
    lng: -9.1454,
    openingHours: ROUND_THE_CLOCK,
    prepTimeMinutes: 12,
    deliveryRadiusM: 5000,
    modifiers: {
      patty: {
        name: "Patties",
        min: 1,
        max: 1,
        options: [
          ["Single", 0],
          ["Double", 300],
          ["Triple", 550],
        ],
      },
      extras: {
        name: "Extras",
        min: 0,
        max: 3,
        options: [
          ["Bacon", 150],
          ["Cheddar", 100],
          ["Fried egg", 120],
          ["Caramelised onion", 80],
          ["Jalapeños", 80],
        ],
      },
      sauces: {
        name: "Sauces",
        min: 0,
        max: 2,
        options: [
          ["House sauce", 0],
          ["Chipotle mayo", 60],
          ["Truffle mayo", 120],
          ["Ketchup", 0],
        ],
      },
      fries: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Regular", 0],
          ["Large", 150],
        ],
      },
      drink: SOFT_DRINK,
    },
    menu: [
      {
        name: "Burgers",
        items: [
          ["Classic smash", "Beef, American cheese, pickles, onion, house sauce", 990, "patty", "extras", "sauces"],
          ["Bacon cheese", "Beef, cheddar, smoked bacon, crispy onion", 1190, "patty", "extras", "sauces"],
          ["Serra burger", "Beef, Serra da Estrela cheese, rocket, fig jam", 1350, "patty", "extras", "sauces"],
          ["Chicken crunch", "Buttermilk fried chicken, slaw, chipotle mayo", 1090, "extras", "sauces"],
          ["Beyond burger", "Plant-based patty, vegan cheese, tomato, lettuce", 1190, "patty", "extras", "sauces"],
        ],
      },
      {
        name: "Sides",
        items: [
          ["Hand-cut fries", "Twice-fried, sea salt", 390, "fries", "sauces"],
          ["Sweet potato fries", "With smoked paprika", 450, "fries", "sauces"],
          ["Onion rings", "Beer-battered", 450, "sauces"],
          ["Chicken wings (6)", "Buffalo glaze, blue cheese dip", 690],
        ],
      },
      {
        name: "Shakes and drinks",
        items: [
          ["Vanilla shake", "Madagascar vanilla ice cream and whole milk", 490],
          ["Oreo shake", "Cookies and cream", 520],
          ["Salted caramel shake", "With caramel sauce and flor de sal", 520],
          ["Coca-Cola", "Classic", 250, "drink"],
          ["Sumol Ananás", "Portuguese pineapple soda", 250, "drink"],
        ],
      },
    ],
  },
  {
    slug: "sakura-lisboa",
    name: "Sakura Lisboa",
    description: "Sushi counter near Saldanha using fish from the Peniche and Sesimbra auctions.",
    cuisines: ["sushi", "japanese"],
    address: "Rua Latino Coelho 14, 1050-136 Lisboa",
    lat: 38.7339,
    lng: -9.1474,
    openingHours: weekly(MON_TO_SAT, ["12:00", "15:00"], ["19:00", "23:00"]),
    prepTimeMinutes: 20,
    deliveryRadiusM: 4500,
    modifiers: {
      soy: {
        name: "Sauces",
        min: 0,
        max: 3,
        options: [
          ["Extra soy sauce", 0],
          ["Low-sodium soy", 0],
          ["Spicy mayo", 80],
          ["Eel sauce", 80],
        ],
      },
      pieces: {
        name: "Pieces",
        min: 1,
        max: 1,
        options: [
          ["8 pieces", 0],
          ["12 pieces", 450],
        ],
      },
    },
    menu: [
      {
        name: "Nigiri and sashimi",
        items: [
          ["Salmon nigiri (2)", "Scottish salmon over seasoned rice", 450, "soy"],
          ["Tuna nigiri (2)", "Azores bluefin akami", 590, "soy"],
          ["Sea bass nigiri (2)", "With yuzu and sea salt", 480, "soy"],
          ["Salmon sashimi (6)", "Thick-cut salmon", 990, "soy"],
          ["Mixed sashimi (12)", "Chef's selection of salmon, tuna and white fish", 1790, "soy"],
        ],
      },
      {
        name: "Rolls",
        items: [
          ["California roll", "Crab, avocado, cucumber, tobiko", 890, "pieces", "soy"],
          ["Spicy tuna roll", "Tuna, spicy mayo, spring onion", 990, "pieces", "soy"],
          ["Ebi tempura roll", "Prawn tempura, avocado, eel sauce", 1050, "pieces", "soy"],
          ["Dragon roll", "Eel and cucumber topped with avocado", 1290, "pieces", "soy"],
          ["Veggie futomaki", "Tamago, cucumber, pickled radish, shiitake", 790, "pieces", "soy"],
        ],
      },
      {
        name: "Hot dishes",
        items: [
          ["Gyoza (6)", "Pan-fried pork and cabbage dumplings", 690],
          ["Chicken karaage", "Japanese fried chicken with lemon and kewpie", 790],
          ["Miso soup", "Tofu, wakame, spring onion", 350],
          ["Edamame", "Steamed with sea salt", 390],
        ],
      },
      {
        name: "Desserts",
        items: [
          ["Mochi (3)", "Matcha, black sesame and mango", 550],
          ["Dorayaki", "Pancakes filled with sweet red bean", 450],
        ],
      },
    ],
  },
  {
    slug: "masala-house",
    name: "Masala House",
    description: "North Indian curries, tandoor breads and biryanis from Rua do Benformoso.",
    cuisines: ["indian"],
    address: "Rua do Benformoso 120, 1100-085 Lisboa",
    lat: 38.7183,
    lng: -9.1356,
    openingHours: ALL_DAY,
    prepTimeMinutes: 25,
    deliveryRadiusM: 5000,
    modifiers: {
      spice: SPICE,
      protein: {
        name: "Protein",
        min: 1,
        max: 1,
        options: [
          ["Chicken", 0],
          ["Lamb", 250],
          ["Prawns", 300],
          ["Paneer", 0],
        ],
      },
      rice: {
        name: "Add rice or bread",
        min: 0,
        max: 2,
        options: [
          ["Pilau rice", 250],
          ["Plain naan", 200],
          ["Garlic naan", 250],
        ],
      },
    },
    menu: [
      {
        name: "Starters",
        items: [
          ["Vegetable samosas (2)", "Spiced potato and pea pastries, tamarind chutney", 450],
          ["Onion bhaji", "Crisp onion fritters with mint raita", 450],
          ["Chicken tikka", "Tandoor-roasted chicken, yoghurt marinade", 790, "spice"],
          ["Papadums", "With mango chutney and lime pickle", 250],
        ],
      },
      {
        name: "Curries",
        items: [
          ["Butter chicken", "Tandoori chicken in a tomato, butter and fenugreek sauce", 1290, "spice", "rice"],
          ["Tikka masala", "Creamy tomato and onion masala", 1250, "protein", "spice", "rice"],
          ["Rogan josh", "Kashmiri lamb curry with whole spices", 1450, "spice", "rice"],
          ["Korma", "Mild cashew and cream sauce", 1190, "protein", "rice"],
          ["Palak paneer", "Cottage cheese in spiced spinach", 1090, "spice", "rice"],
          ["Dal makhani", "Black lentils slow-cooked overnight with butter", 950, "spice", "rice"],
        ],
      },
      {
        name: "Biryani and breads",
        items: [
          ["Hyderabadi biryani", "Layered basmati with saffron, fried onion and raita", 1390, "protein", "spice"],
          ["Cheese naan", "Stuffed with melted cheese", 350],
          ["Peshwari naan", "Coconut, almond and sultana", 350],
        ],
      },
      {
        name: "Drinks",
        items: [
          ["Mango lassi", "Yoghurt and Alphonso mango", 350],
          ["Masala chai", "Spiced milk tea", 250],
        ],
      },
    ],
  },
  {
    slug: "dragao-dourado",
    name: "Dragão Dourado",
    description: "Cantonese and Sichuan classics from the Martim Moniz Chinese quarter.",
    cuisines: ["chinese"],
    address: "Rua da Palma 210, 1100-391 Lisboa",
    lat: 38.7162,
    lng: -9.1369,
    openingHours: ALL_DAY,
    prepTimeMinutes: 18,
    deliveryRadiusM: 5000,
    modifiers: {
      spice: SPICE,
      base: {
        name: "Base",
        min: 1,
        max: 1,
        options: [
          ["Steamed rice", 0],
          ["Egg fried rice", 150],
          ["Noodles", 150],
        ],
      },
    },
    menu: [
      {
        name: "Dim sum",
        items: [
          ["Har gow (4)", "Crystal prawn dumplings", 550],
          ["Siu mai (4)", "Pork and prawn open dumplings", 520],
          ["Char siu bao (3)", "Fluffy buns with barbecue pork", 550],
          ["Spring rolls (4)", "Vegetable, sweet chilli dip", 390],
        ],
      },
      {
        name: "Mains",
        items: [
          ["Kung pao chicken", "Wok-fried chicken, peanuts, dried chilli, Sichuan pepper", 1050, "spice", "base"],
          ["Mapo tofu", "Silken tofu in chilli bean sauce with minced pork", 950, "spice", "base"],
          ["Sweet and sour pork", "Crispy pork, pineapple, peppers", 1050, "base"],
          ["Beef in black bean sauce", "Sliced beef, onion, green pepper", 1150, "spice", "base"],
          ["Crispy duck (half)", "With pancakes, cucumber, spring onion and hoisin", 1990],
          ["Dan dan noodles", "Wheat noodles, spicy pork, sesame, preserved greens", 950, "spice"],
        ],
      },
      {
        name: "Rice and vegetables",
        items: [
          ["Yangzhou fried rice", "Char siu, prawn, egg and peas", 850],
          ["Stir-fried pak choi", "With garlic and oyster sauce", 650],
          ["Dry-fried green beans", "With chilli and pork mince", 750, "spice"],
        ],
      },
    ],
  },
  {
    slug: "baan-thai",
    name: "Baan Thai",
    description: "Thai street food and curries in Campo de Ourique, pastes pounded in-house every morning.",
    cuisines: ["thai"],
    address: "Rua Ferreira Borges 60, 1350-133 Lisboa",
    lat: 38.7171,
    lng: -9.1658,
    openingHours: LUNCH_AND_DINNER,
    prepTimeMinutes: 20,
    deliveryRadiusM: 4000,
    modifiers: {
      spice: SPICE,
      protein: {
        name: "Protein",
        min: 1,
        max: 1,
        options: [
          ["Chicken", 0],
          ["Tofu", 0],
          ["Beef", 200],
          ["Prawns", 300],
        ],
      },
      extras: {
        name: "Extras",
        min: 0,
        max: 3,
        options: [
          ["Jasmine rice", 200],
          ["Sticky rice", 250],
          ["Fried egg", 120],
          ["Crushed peanuts", 50],
        ],
      },
    },
    menu: [
      {
        name: "Starters",
        items: [
          ["Chicken satay (4)", "Grilled skewers with peanut sauce", 690],
          ["Tom yum soup", "Hot and sour prawn soup with lemongrass and galangal", 790, "spice"],
          ["Fresh spring rolls (2)", "Rice paper, herbs, tofu, tamarind dip", 550],
          ["Som tam", "Green papaya salad, lime, chilli, peanuts", 750, "spice"],
        ],
      },
      {
        name: "Curries and woks",
        items: [
          ["Pad thai", "Rice noodles, tamarind, egg, bean sprouts, peanuts", 1150, "protein", "spice", "extras"],
          ["Green curry", "Coconut, Thai basil, aubergine", 1250, "protein", "spice", "extras"],
          ["Massaman curry", "Slow-cooked beef, potato, peanuts", 1390, "spice", "extras"],
          ["Panang curry", "Thick red curry with kaffir lime", 1250, "protein", "spice", "extras"],
          ["Pad kra pao", "Holy basil stir-fry with chilli and garlic", 1090, "protein", "spice", "extras"],
          ["Pad see ew", "Wide noodles, soy, Chinese broccoli", 1090, "protein", "extras"],
        ],
      },
      {
        name: "Desserts and drinks",
        items: [
          ["Mango sticky rice", "Coconut sticky rice with ripe mango", 590],
          ["Thai iced tea", "With condensed milk", 350],
          ["Singha", "Thai lager, 33 cl", 380],
        ],
      },
    ],
  },
  {
    slug: "la-catrina-taqueria",
    name: "La Catrina Taquería",
    description: "Tacos on nixtamal corn tortillas, burritos and mezcal in Bairro Alto.",
    cuisines: ["mexican"],
    address: "Rua da Rosa 150, 1200-389 Lisboa",
    lat: 38.7139,
    lng: -9.1458,
    openingHours: weekly(EVERY_DAY, ["12:30", "23:30"]),
    prepTimeMinutes: 15,
    deliveryRadiusM: 4000,
    modifiers: {
      salsa: {
        name: "Salsas",
        min: 0,
        max: 3,
        options: [
          ["Salsa verde", 0],
          ["Salsa roja", 0],
          ["Habanero", 50],
          ["Guacamole", 180],
        ],
      },
      filling: {
        name: "Filling",
        min: 1,
        max: 1,
        options: [
          ["Carnitas", 0],
          ["Chicken tinga", 0],
          ["Carne asada", 200],
          ["Black beans and squash", 0],
        ],
      },
    },
    menu: [
      {
        name: "Tacos (3 per order)",
        items: [
          ["Al pastor", "Achiote pork, pineapple, onion, coriander", 950, "salsa"],
          ["Cochinita pibil", "Slow-roasted pork, pickled red onion", 950, "salsa"],
          ["Baja fish", "Beer-battered fish, chipotle slaw", 1050, "salsa"],
          ["Carne asada", "Grilled flank steak, salsa verde", 1090, "salsa"],
          ["Hongos", "Mushrooms, epazote, queso fresco", 890, "salsa"],
        ],
      },
      {
        name: "Burritos and quesadillas",
        items: [
          ["Burrito", "Rice, beans, cheese, pico de gallo, sour cream", 1190, "filling", "salsa"],
          ["Quesadilla", "Flour tortilla, Oaxaca cheese", 850, "filling", "salsa"],
          ["Burrito bowl", "All the burrito, no tortilla", 1150, "filling", "salsa"],
        ],
      },
      {
        name: "Para picar",
        items: [
          ["Nachos", "Corn chips, cheese, beans, jalapeños, pico de gallo", 890, "salsa"],
          ["Elote", "Grilled corn, chipotle mayo, cotija, lime", 550],
          ["Guacamole and totopos", "Made to order", 750],
          ["Churros", "With dulce de leche", 550],
          ["Horchata", "Rice and cinnamon drink", 350],
        ],
      },
    ],
  },
  {
    slug: "picanha-e-cia",
    name: "Picanha & Cia",
    description: "Brazilian grill: picanha on the skewer, feijoada on Saturdays, pão de queijo all day.",
    cuisines: ["brazilian", "grill"],
    address: "Avenida Almirante Reis 98, 1150-022 Lisboa",
    lat: 38.7268,
    lng: -9.1349,
    openingHours: ALL_DAY,
    prepTimeMinutes: 22,
    deliveryRadiusM: 5000,
    modifiers: {
      doneness: {
        name: "Doneness",
        min: 1,
        max: 1,
        options: [
          ["Mal passada (rare)", 0],
          ["Ao ponto (medium)", 0],
          ["Bem passada (well done)", 0],
        ],
      },
      sides: {
        name: "Sides",
        min: 0,
        max: 3,
        options: [
          ["Farofa", 100],
          ["Vinagrete", 100],
          ["Black beans", 150],
          ["Fried cassava", 250],
        ],
      },
    },
    menu: [
      {
        name: "Grelhados",
        items: [
          ["Picanha (300 g)", "Top sirloin cap with rice, beans and farofa", 1690, "doneness", "sides"],
          ["Fraldinha", "Flank steak with chimichurri", 1490, "doneness", "sides"],
          ["Frango grelhado", "Lime-marinated chicken thigh", 1090, "sides"],
          ["Linguiça toscana", "Grilled pork sausage", 990, "sides"],
        ],
      },
      {
        name: "Pratos",
        items: [
          ["Feijoada completa", "Black bean stew with pork cuts, rice, couve and orange", 1450],
          ["Moqueca baiana", "Fish and prawn stew in coconut and dendê oil", 1690],
          ["Escondidinho de carne seca", "Dried beef under creamy cassava mash", 1290],
        ],
      },
      {
        name: "Salgados",
        items: [
          ["Pão de queijo (6)", "Cheese bread from Minas", 450],
          ["Coxinha (4)", "Chicken croquettes", 550],
          ["Pastel de feira", "Fried pastry with cheese or minced beef", 450],
        ],
      },
      {
        name: "Doces e bebidas",
        items: [
          ["Brigadeiros (4)", "Chocolate truffles with sprinkles", 390],
          ["Pudim de leite", "Brazilian milk pudding", 420],
          ["Guaraná Antarctica", "Can, 33 cl", 250],
          ["Caipirinha sem álcool", "Lime, sugar and soda", 450],
        ],
      },
    ],
  },
  {
    slug: "trattoria-nonna-lucia",
    name: "Trattoria Nonna Lucia",
    description: "Fresh pasta rolled every morning, slow ragù and Sicilian desserts in Santos.",
    cuisines: ["italian", "pasta"],
    address: "Avenida Dom Carlos I 50, 1200-649 Lisboa",
    lat: 38.7081,
    lng: -9.1538,
    openingHours: LUNCH_AND_DINNER,
    prepTimeMinutes: 20,
    deliveryRadiusM: 4500,
    modifiers: {
      pasta: {
        name: "Pasta shape",
        min: 1,
        max: 1,
        options: [
          ["Tagliatelle", 0],
          ["Rigatoni", 0],
          ["Gluten-free penne", 150],
        ],
      },
      cheese: {
        name: "Extras",
        min: 0,
        max: 2,
        options: [
          ["Extra parmigiano", 100],
          ["Stracciatella", 250],
          ["Chilli flakes", 0],
        ],
      },
    },
    menu: [
      {
        name: "Antipasti",
        items: [
          ["Vitello tonnato", "Cold veal with tuna and caper sauce", 950],
          ["Carpaccio di manzo", "Beef carpaccio, rocket, parmigiano", 1050],
          ["Bruschette miste (3)", "Tomato, mushroom, and nduja", 650],
        ],
      },
      {
        name: "Primi",
        items: [
          ["Tagliatelle al ragù", "Bolognese ragù cooked six hours", 1290, "pasta", "cheese"],
          ["Cacio e pepe", "Pecorino romano and black pepper", 1150, "pasta", "cheese"],
          ["Carbonara", "Guanciale, egg yolk, pecorino, no cream", 1250, "pasta", "cheese"],
          ["Pappardelle ai funghi", "Wild mushrooms, thyme and butter", 1350, "cheese"],
          ["Ravioli ricotta e spinaci", "Sage butter and parmigiano", 1350, "cheese"],
          ["Linguine alle vongole", "Clams, garlic, white wine, parsley", 1590],
          ["Lasagna della nonna", "Layered with ragù and béchamel", 1290],
        ],
      },
      {
        name: "Dolci",
        items: [
          ["Tiramisù", "House recipe", 550],
          ["Panna cotta", "With wild berry coulis", 490],
          ["Cannoli (2)", "Ricotta, candied orange, pistachio", 590],
        ],
      },
    ],
  },
  {
    slug: "horta-verde",
    name: "Horta Verde",
    description: "Plant-based kitchen on Largo do Intendente: bowls, burgers and cakes, all vegan.",
    cuisines: ["vegan", "healthy"],
    address: "Largo do Intendente Pina Manique 19, 1100-285 Lisboa",
    lat: 38.7221,
    lng: -9.1353,
    openingHours: weekly(EVERY_DAY, ["10:00", "22:00"]),
    prepTimeMinutes: 15,
    deliveryRadiusM: 4500,
    modifiers: {
      base: {
        name: "Base",
        min: 1,
        max: 1,
        options: [
          ["Brown rice", 0],
          ["Quinoa", 100],
          ["Mixed leaves", 0],
        ],
      },
      toppings: {
        name: "Toppings",
        min: 0,
        max: 3,
        options: [
          ["Avocado", 150],
          ["Smoked tofu", 150],
          ["Roasted chickpeas", 100],
          ["Kimchi", 120],
          ["Toasted seeds", 50],
        ],
      },
      dressing: {
        name: "Dressing",
        min: 1,
        max: 1,
        options: [
          ["Tahini lemon", 0],
          ["Miso ginger", 0],
          ["Green goddess", 0],
        ],
      },
    },
    menu: [
      {
        name: "Bowls",
        items: [
          ["Buddha bowl", "Roast sweet potato, hummus, greens, pickled cabbage", 1090, "base", "toppings", "dressing"],
          ["Teriyaki tofu bowl", "Glazed tofu, edamame, carrot, sesame", 1150, "base", "toppings", "dressing"],
          ["Falafel bowl", "Baked falafel, tabbouleh, beetroot hummus", 1090, "base", "toppings", "dressing"],
          ["Mexican bowl", "Black beans, corn, pico de gallo, cashew sour cream", 1090, "base", "toppings", "dressing"],
        ],
      },
      {
        name: "Burgers and wraps",
        items: [
          ["Lentil burger", "Lentil and beet patty, vegan aioli, sweet potato fries", 1190, "toppings"],
          ["Jackfruit wrap", "BBQ jackfruit, slaw, pickles", 950, "toppings"],
          ["Seitan bifana", "The Lisbon classic, with garlic and white wine", 850],
        ],
      },
      {
        name: "Soups and sides",
        items: [
          ["Soup of the day", "Seasonal vegetables from the Saloia market gardens", 450],
          ["Sweet potato fries", "With smoked paprika aioli", 450],
          ["Hummus and crudités", "Chickpea hummus, seasonal raw vegetables", 650],
        ],
      },
      {
        name: "Cakes and juices",
        items: [
          ["Carrot cake", "With cashew frosting", 420],
          ["Raw chocolate tart", "Dates, cacao, almonds", 480],
          ["Green juice", "Kale, apple, cucumber, ginger", 450],
          ["Kombucha", "House-brewed, ginger and lemon", 390],
        ],
      },
    ],
  },
  {
    slug: "pastelaria-estrela-doce",
    name: "Pastelaria Estrela Doce",
    description: "Neighbourhood pastelaria by the Basílica da Estrela: pastéis de nata warm from the oven.",
    cuisines: ["bakery", "cafe", "portuguese"],
    address: "Calçada da Estrela 130, 1200-662 Lisboa",
    lat: 38.7126,
    lng: -9.1592,
    openingHours: weekly(EVERY_DAY, ["07:30", "20:00"]),
    prepTimeMinutes: 8,
    deliveryRadiusM: 3500,
    modifiers: {
      milk: {
        name: "Milk",
        min: 0,
        max: 1,
        options: [
          ["Oat milk", 40],
          ["Soy milk", 40],
          ["Lactose-free", 20],
        ],
      },
      topping: {
        name: "Topping",
        min: 0,
        max: 2,
        options: [
          ["Cinnamon", 0],
          ["Icing sugar", 0],
        ],
      },
    },
    menu: [
      {
        name: "Pastelaria",
        items: [
          ["Pastel de nata", "Flaky custard tart, baked every hour", 130, "topping"],
          ["Pastéis de nata (6)", "Box of six", 720, "topping"],
          ["Bola de Berlim", "Doughnut filled with egg custard", 180],
          ["Travesseiro de Sintra", "Puff pastry pillow with almond and egg cream", 190],
          ["Queque de laranja", "Orange muffin cake", 150],
          ["Croissant misto", "Croissant with ham and cheese", 290],
        ],
      },
      {
        name: "Salgados",
        items: [
          ["Rissol de camarão", "Shrimp turnover", 160],
          ["Empada de galinha", "Chicken pie", 190],
          ["Tosta mista", "Toasted ham and cheese sandwich", 350],
          ["Prego no pão", "Steak sandwich with garlic", 550],
        ],
      },
      {
        name: "Café",
        items: [
          ["Bica", "Portuguese espresso", 90],
          ["Galão", "Milky coffee in a tall glass", 180, "milk"],
          ["Meia de leite", "Half coffee, half milk", 150, "milk"],
          ["Sumo de laranja natural", "Freshly squeezed orange juice", 300],
        ],
      },
    ],
  },
  {
    slug: "istanbul-grill",
    name: "Istanbul Grill",
    description: "Charcoal kebabs, pide and mezze from a Turkish family in Anjos.",
    cuisines: ["turkish", "kebab"],
    address: "Rua dos Anjos 55, 1150-034 Lisboa",
    lat: 38.7252,
    lng: -9.1357,
    openingHours: weekly(EVERY_DAY, ["11:00", "23:45"]),
    prepTimeMinutes: 12,
    deliveryRadiusM: 5000,
    modifiers: {
      wrap: {
        name: "Served as",
        min: 1,
        max: 1,
        options: [
          ["Dürüm wrap", 0],
          ["Pitta", 0],
          ["Plate with rice and salad", 350],
        ],
      },
      sauces: {
        name: "Sauces",
        min: 0,
        max: 3,
        options: [
          ["Garlic yoghurt", 0],
          ["Chilli sauce", 0],
          ["Tahini", 0],
          ["Extra feta", 100],
        ],
      },
    },
    menu: [
      {
        name: "Kebabs",
        items: [
          ["Döner chicken", "Marinated chicken from the spit", 750, "wrap", "sauces"],
          ["Döner lamb and beef", "Classic Berlin-style döner", 790, "wrap", "sauces"],
          ["Adana kebab", "Spicy minced lamb skewer over charcoal", 1090, "wrap", "sauces"],
          ["Falafel", "Chickpea and herb falafel", 690, "wrap", "sauces"],
          ["İskender", "Döner on bread with tomato butter and yoghurt", 1290],
        ],
      },
      {
        name: "Pide and lahmacun",
        items: [
          ["Lahmacun", "Thin flatbread with spiced minced meat, lemon and parsley", 550],
          ["Kaşarlı pide", "Boat-shaped bread with kaşar cheese and egg", 890],
          ["Sucuklu pide", "With spicy beef sausage and cheese", 950],
        ],
      },
      {
        name: "Mezze",
        items: [
          ["Hummus", "With olive oil and paprika", 450],
          ["Cacık", "Yoghurt, cucumber, mint", 390],
          ["Sigara böreği (4)", "Filo rolls with feta and parsley", 550],
          ["Fries", "With sumac salt", 350, "sauces"],
        ],
      },
      {
        name: "Sweets and drinks",
        items: [
          ["Baklava (4)", "Pistachio baklava", 550],
          ["Ayran", "Salted yoghurt drink", 220],
        ],
      },
    ],
  },
  {
    slug: "cedro-do-libano",
    name: "Cedro do Líbano",
    description: "Lebanese mezze, shawarma and charcoal grills in Alvalade.",
    cuisines: ["lebanese", "middle eastern"],
    address: "Avenida da Igreja 30, 1700-237 Lisboa",
    lat: 38.7525,
    lng: -9.1418,
    openingHours: weekly(TUE_TO_SUN, ["12:00", "22:30"]),
    prepTimeMinutes: 20,
    deliveryRadiusM: 5000,
    modifiers: {
      bread: {
        name: "Bread",
        min: 0,
        max: 2,
        options: [
          ["Extra pitta", 80],
          ["Za'atar manakish", 250],
        ],
      },
      size: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Regular", 0],
          ["Large", 300],
        ],
      },
    },
    menu: [
      {
        name: "Cold mezze",
        items: [
          ["Hummus beiruti", "Chickpeas, tahini, garlic, cumin", 550, "bread"],
          ["Moutabal", "Smoky aubergine and tahini", 550, "bread"],
          ["Tabbouleh", "Parsley, bulgur, tomato, lemon", 590],
          ["Fattoush", "Crisp bread salad with sumac and pomegranate", 650],
          ["Muhammara", "Red pepper, walnut and pomegranate dip", 590, "bread"],
        ],
      },
      {
        name: "Hot mezze",
        items: [
          ["Falafel (6)", "With tahini sauce", 590],
          ["Kibbeh (4)", "Bulgur shells stuffed with lamb and pine nuts", 690],
          ["Batata harra", "Spicy potatoes with coriander and garlic", 490],
          ["Halloumi grelhado", "Grilled halloumi with mint", 690],
        ],
      },
      {
        name: "Grills and wraps",
        items: [
          ["Chicken shawarma plate", "Garlic toum, pickles, rice and salad", 1290, "size"],
          ["Beef shawarma wrap", "Tahini, onion, parsley, pickles", 850],
          ["Shish taouk", "Chicken skewers, garlic sauce", 1290, "size"],
          ["Kafta", "Minced lamb and parsley skewers", 1350, "size"],
        ],
      },
      {
        name: "Sweets",
        items: [
          ["Knafeh", "Warm cheese pastry with syrup", 590],
          ["Baklava (4)", "Walnut and pistachio, orange blossom syrup", 550],
          ["Mouhalabieh", "Milk pudding with rose water and pistachio", 450],
        ],
      },
    ],
  },
  {
    slug: "poke-atlantico",
    name: "Poke Atlântico",
    description: "Build-your-own poke bowls with Atlantic fish, in the heart of Chiado.",
    cuisines: ["poke", "hawaiian", "healthy"],
    address: "Rua Nova do Almada 70, 1200-289 Lisboa",
    lat: 38.7099,
    lng: -9.1407,
    openingHours: weekly(EVERY_DAY, ["11:30", "22:00"]),
    prepTimeMinutes: 10,
    deliveryRadiusM: 4000,
    modifiers: {
      size: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Regular", 0],
          ["Large", 300],
        ],
      },
      base: {
        name: "Base",
        min: 1,
        max: 1,
        options: [
          ["Sushi rice", 0],
          ["Brown rice", 0],
          ["Zucchini noodles", 100],
          ["Half rice, half salad", 0],
        ],
      },
      toppings: {
        name: "Extra toppings",
        min: 0,
        max: 3,
        options: [
          ["Avocado", 150],
          ["Mango", 100],
          ["Edamame", 80],
          ["Seaweed salad", 120],
          ["Crispy onion", 50],
          ["Tobiko", 150],
        ],
      },
      sauce: {
        name: "Sauce",
        min: 1,
        max: 2,
        options: [
          ["Shoyu", 0],
          ["Spicy mayo", 0],
          ["Ponzu", 0],
          ["Wasabi mayo", 0],
        ],
      },
    },
    menu: [
      {
        name: "Signature bowls",
        items: [
          ["Classic salmon", "Salmon, avocado, cucumber, edamame, sesame", 1190, "size", "base", "toppings", "sauce"],
          ["Ahi tuna", "Tuna, mango, red onion, seaweed, furikake", 1350, "size", "base", "toppings", "sauce"],
          ["Spicy shrimp", "Shrimp, jalapeño, corn, crispy onion", 1190, "size", "base", "toppings", "sauce"],
          [
            "Teriyaki chicken",
            "Chicken thigh, pineapple, carrot, spring onion",
            1090,
            "size",
            "base",
            "toppings",
            "sauce",
          ],
          ["Tofu garden", "Marinated tofu, kale, radish, pickled ginger", 990, "size", "base", "toppings", "sauce"],
        ],
      },
      {
        name: "Sides",
        items: [
          ["Miso soup", "With tofu and wakame", 300],
          ["Gyoza (5)", "Vegetable dumplings", 550],
          ["Wakame salad", "Sesame-dressed seaweed", 450],
        ],
      },
      {
        name: "Drinks and sweets",
        items: [
          ["Matcha lemonade", "Lightly sweetened", 380],
          ["Coconut water", "Pure, 33 cl", 320],
          ["Açaí cup", "Açaí, granola, banana", 550],
          ["Mochi (2)", "Coconut and passion fruit", 420],
        ],
      },
    ],
  },
  {
    slug: "seoul-kitchen",
    name: "Seoul Kitchen",
    description: "Korean fried chicken, bibimbap and stews near Praça de Londres.",
    cuisines: ["korean"],
    address: "Rua Actor Isidoro 15, 1900-016 Lisboa",
    lat: 38.7382,
    lng: -9.1358,
    openingHours: weekly(TUE_TO_SUN, ["12:00", "15:00"], ["18:30", "23:00"]),
    prepTimeMinutes: 20,
    deliveryRadiusM: 4500,
    modifiers: {
      spice: SPICE,
      glaze: {
        name: "Glaze",
        min: 1,
        max: 1,
        options: [
          ["Yangnyeom (sweet and spicy)", 0],
          ["Soy garlic", 0],
          ["Plain crispy", 0],
          ["Honey butter", 50],
        ],
      },
      pieces: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Half (8 pieces)", 0],
          ["Whole (16 pieces)", 900],
        ],
      },
      egg: {
        name: "Extras",
        min: 0,
        max: 2,
        options: [
          ["Fried egg", 120],
          ["Extra kimchi", 150],
        ],
      },
    },
    menu: [
      {
        name: "Korean fried chicken",
        items: [
          ["Fried chicken", "Double-fried, bone-in", 1290, "pieces", "glaze"],
          ["Boneless chicken", "Thigh pieces, double-fried", 1250, "pieces", "glaze"],
          ["Chicken wings", "Wings only", 1190, "pieces", "glaze"],
        ],
      },
      {
        name: "Rice and noodles",
        items: [
          ["Bibimbap", "Rice, vegetables, beef bulgogi, egg, gochujang", 1290, "spice", "egg"],
          ["Dolsot bibimbap", "In a sizzling stone bowl", 1450, "spice", "egg"],
          ["Japchae", "Sweet potato noodles with vegetables and beef", 1150, "egg"],
          ["Kimchi fried rice", "With spam and a fried egg", 1050, "spice", "egg"],
        ],
      },
      {
        name: "Stews",
        items: [
          ["Kimchi jjigae", "Kimchi and pork stew with tofu", 1190, "spice"],
          ["Sundubu jjigae", "Soft tofu stew with seafood", 1250, "spice"],
        ],
      },
      {
        name: "Snacks",
        items: [
          ["Tteokbokki", "Rice cakes in spicy gochujang sauce", 850, "spice"],
          ["Mandu (6)", "Pork and vegetable dumplings", 690],
          ["Kimchi", "House-fermented napa cabbage", 350],
          ["Pickled radish", "Chicken-mu, sweet and sour", 250],
        ],
      },
    ],
  },
  {
    slug: "himalaya-momo",
    name: "Himalaya Momo",
    description: "Nepalese momos, dal bhat and thukpa on Rua Morais Soares.",
    cuisines: ["nepalese", "indian"],
    address: "Rua Morais Soares 110, 1900-348 Lisboa",
    lat: 38.7291,
    lng: -9.1296,
    openingHours: ALL_DAY,
    prepTimeMinutes: 20,
    deliveryRadiusM: 5000,
    modifiers: {
      spice: SPICE,
      momo: {
        name: "Cooking style",
        min: 1,
        max: 1,
        options: [
          ["Steamed", 0],
          ["Fried", 100],
          ["Jhol (in sesame-tomato broth)", 150],
        ],
      },
      filling: {
        name: "Filling",
        min: 1,
        max: 1,
        options: [
          ["Chicken", 0],
          ["Buffalo", 150],
          ["Vegetable", 0],
        ],
      },
    },
    menu: [
      {
        name: "Momos (10 pieces)",
        items: [
          ["Classic momo", "Hand-folded dumplings with tomato achar", 890, "filling", "momo", "spice"],
          ["Chilli momo", "Tossed in a sweet chilli and pepper sauce", 990, "filling", "spice"],
          ["Cheese momo", "Cheese and spinach", 950, "momo"],
        ],
      },
      {
        name: "Mains",
        items: [
          ["Dal bhat set", "Lentils, rice, vegetable curry, pickle, papad", 1150, "filling", "spice"],
          ["Thukpa", "Tibetan noodle soup", 990, "filling", "spice"],
          ["Chow mein", "Wok-fried noodles", 950, "filling", "spice"],
          ["Goat curry", "Bone-in goat, Nepalese spices", 1390, "spice"],
          ["Chicken choila", "Grilled chicken with mustard oil and timur pepper", 1090, "spice"],
        ],
      },
      {
        name: "Sides and drinks",
        items: [
          ["Aloo sadeko", "Spiced potato salad", 450, "spice"],
          ["Sel roti", "Sweet rice-flour rings", 350],
          ["Garlic naan", "From the tandoor", 250],
          ["Nepali milk tea", "With cardamom", 250],
          ["Mango lassi", "Yoghurt and mango", 350],
        ],
      },
    ],
  },
  {
    slug: "casa-de-goa",
    name: "Casa de Goa",
    description: "Goan cooking with Portuguese roots: xacuti, vindalho and sarapatel near the Rato.",
    cuisines: ["goan", "indian"],
    address: "Rua do Salitre 150, 1250-199 Lisboa",
    lat: 38.7195,
    lng: -9.1509,
    openingHours: weekly(TUE_TO_SUN, ["12:00", "15:00"], ["19:00", "22:30"]),
    prepTimeMinutes: 25,
    deliveryRadiusM: 4500,
    modifiers: {
      spice: SPICE,
      rice: {
        name: "Rice",
        min: 1,
        max: 1,
        options: [
          ["Goan red rice", 0],
          ["Basmati", 0],
          ["Pão (Goan bread)", 50],
        ],
      },
    },
    menu: [
      {
        name: "Entradas",
        items: [
          ["Chamuças (4)", "Goan samosas with minced beef", 450],
          ["Prawn rissóis (3)", "Goan-style prawn turnovers", 480],
          ["Bhaji de cebola", "Onion fritters", 420],
          ["Sannas (4)", "Steamed, lightly fermented coconut rice cakes", 390],
        ],
      },
      {
        name: "Caril",
        items: [
          ["Chicken xacuti", "Roasted coconut and poppy-seed curry", 1290, "spice", "rice"],
          ["Pork vindalho", "Wine vinegar, garlic and Kashmiri chilli", 1350, "spice", "rice"],
          ["Prawn caril", "Coconut, kokum and green chilli", 1590, "spice", "rice"],
          ["Fish recheado", "Mackerel stuffed with red masala", 1390, "spice", "rice"],
          ["Sarapatel", "Spiced pork offal stew, the feast-day dish", 1290, "rice"],
          ["Vegetable caldine", "Mild coconut curry", 1050, "spice", "rice"],
        ],
      },
      {
        name: "Doces",
        items: [
          ["Bebinca", "Layered coconut and egg cake", 490],
          ["Dodol", "Jaggery and coconut sweet", 420],
        ],
      },
      {
        name: "Bebidas",
        items: [
          ["Kokum sherbet", "Sweet and tart kokum drink", 320],
          ["Limonada de lima", "Fresh lime soda, sweet or salted", 300],
        ],
      },
    ],
  },
  {
    slug: "ramen-kazan",
    name: "Ramen Kazan",
    description: "Tonkotsu simmered for 18 hours, fresh noodles, off the Avenida da Liberdade.",
    cuisines: ["ramen", "japanese"],
    address: "Rua Rodrigues Sampaio 70, 1150-280 Lisboa",
    lat: 38.7224,
    lng: -9.1465,
    openingHours: weekly(MON_TO_SAT, ["12:00", "15:00"], ["19:00", "23:00"]),
    prepTimeMinutes: 15,
    deliveryRadiusM: 4000,
    modifiers: {
      noodles: {
        name: "Noodle firmness",
        min: 1,
        max: 1,
        options: [
          ["Soft", 0],
          ["Regular", 0],
          ["Firm", 0],
        ],
      },
      toppings: {
        name: "Extra toppings",
        min: 0,
        max: 3,
        options: [
          ["Ajitama egg", 150],
          ["Extra chashu", 300],
          ["Nori", 80],
          ["Bamboo shoots", 100],
          ["Corn and butter", 120],
          ["Extra noodles", 200],
        ],
      },
      spice: SPICE,
    },
    menu: [
      {
        name: "Ramen",
        items: [
          ["Tonkotsu", "Pork bone broth, chashu, ajitama, kikurage, spring onion", 1390, "noodles", "toppings"],
          ["Shoyu", "Chicken and dashi broth with soy tare", 1290, "noodles", "toppings"],
          ["Miso", "Hokkaido-style miso, corn, butter", 1350, "noodles", "toppings"],
          ["Tantanmen", "Sesame and chilli broth with spicy minced pork", 1390, "noodles", "toppings", "spice"],
          ["Vegan shio", "Kombu and shiitake broth, tofu", 1250, "noodles", "toppings"],
          ["Tsukemen", "Thick dipping noodles, concentrated broth", 1450, "toppings"],
        ],
      },
      {
        name: "Small plates",
        items: [
          ["Pork gyoza (5)", "Crisp-bottomed dumplings", 590],
          ["Chashu don", "Rice bowl with torched pork belly", 750],
          ["Takoyaki (6)", "Octopus balls, bonito flakes", 690],
          ["Karaage", "Fried chicken thigh with yuzu mayo", 750],
        ],
      },
      {
        name: "Drinks",
        items: [
          ["Ramune", "Japanese marble soda", 350],
          ["Asahi", "Japanese lager, 33 cl", 380],
          ["Genmaicha", "Roasted rice green tea", 250],
        ],
      },
    ],
  },
  {
    slug: "ceviche-limeno",
    name: "Ceviche Limeño",
    description: "Peruvian cebichería: tiger's milk, lomo saltado and pisco sour near São Bento.",
    cuisines: ["peruvian", "seafood"],
    address: "Rua de São Bento 200, 1200-821 Lisboa",
    lat: 38.7141,
    lng: -9.1537,
    openingHours: weekly(TUE_TO_SUN, ["12:30", "15:30"], ["19:30", "23:00"]),
    prepTimeMinutes: 20,
    deliveryRadiusM: 4000,
    modifiers: {
      spice: SPICE,
      side: {
        name: "Side",
        min: 0,
        max: 2,
        options: [
          ["Sweet potato", 150],
          ["Choclo (Andean corn)", 150],
          ["Cancha (toasted corn)", 100],
        ],
      },
    },
    menu: [
      {
        name: "Cebiches",
        items: [
          ["Cebiche clásico", "Sea bass in tiger's milk, red onion, ají limo", 1450, "spice", "side"],
          ["Cebiche mixto", "Sea bass, octopus, prawns", 1690, "spice", "side"],
          ["Tiradito nikkei", "Tuna slices in passion fruit and soy", 1590, "spice"],
          ["Leche de tigre", "A shot of the marinade with fried calamari", 890, "spice"],
        ],
      },
      {
        name: "Platos",
        items: [
          ["Lomo saltado", "Wok-fried beef, tomato, onion, fries and rice", 1690],
          ["Ají de gallina", "Creamy chicken in yellow chilli and walnut sauce", 1390],
          ["Arroz chaufa", "Peruvian-Chinese fried rice", 1250],
          ["Causa limeña", "Layered yellow potato with crab and avocado", 1190],
          ["Anticuchos", "Grilled beef heart skewers with ají panca", 1090, "spice"],
        ],
      },
      {
        name: "Postres y bebidas",
        items: [
          ["Suspiro limeño", "Dulce de leche cream with port meringue", 550],
          ["Picarones", "Squash and sweet potato doughnuts with chancaca syrup", 590],
          ["Chicha morada", "Purple corn drink with pineapple and cinnamon", 350],
          ["Inca Kola", "Golden Peruvian soda", 300],
        ],
      },
    ],
  },
  {
    slug: "frango-piri-piri-maputo",
    name: "Frango Piri-Piri Maputo",
    description: "Charcoal piri-piri chicken the Mozambican way, with matapa and chamussas, in Benfica.",
    cuisines: ["mozambican", "chicken", "grill"],
    address: "Estrada de Benfica 400, 1500-100 Lisboa",
    lat: 38.7469,
    lng: -9.1826,
    openingHours: weekly(EVERY_DAY, ["12:00", "22:30"]),
    prepTimeMinutes: 25,
    deliveryRadiusM: 6000,
    modifiers: {
      heat: {
        name: "Piri-piri",
        min: 1,
        max: 1,
        options: [
          ["Lemon and herb", 0],
          ["Medium", 0],
          ["Hot", 0],
          ["Extra hot", 0],
        ],
      },
      sides: {
        name: "Sides",
        min: 0,
        max: 3,
        options: [
          ["Fries", 250],
          ["Rice", 200],
          ["Mixed salad", 250],
          ["Corn on the cob", 200],
        ],
      },
    },
    menu: [
      {
        name: "Frango",
        items: [
          ["Half chicken", "Charcoal-grilled, basted in piri-piri", 890, "heat", "sides"],
          ["Whole chicken", "For two or three", 1590, "heat", "sides"],
          ["Chicken thighs (4)", "Boneless", 990, "heat", "sides"],
          ["Chicken wrap", "Grilled chicken, lettuce, tomato, piri-piri mayo", 790, "heat"],
          ["Prawns piri-piri (10)", "Grilled in their shells", 1690, "heat", "sides"],
        ],
      },
      {
        name: "Moçambique",
        items: [
          ["Matapa", "Cassava leaves, peanut and coconut, with rice", 1090],
          ["Chamussas (4)", "Beef samosas, Mozambican style", 450],
          ["Caril de amendoim", "Peanut and chicken curry", 1190],
          ["Xima", "White maize porridge", 250],
        ],
      },
      {
        name: "Sides and drinks",
        items: [
          ["Fries", "Hand-cut", 300],
          ["Coleslaw", "Creamy slaw", 250],
          ["Arroz de tomate", "Soupy tomato rice", 300],
          ["2M", "Mozambican lager, 33 cl", 350],
          ["Lemonade", "Fresh lemon and mint", 300],
        ],
      },
    ],
  },
  {
    slug: "pho-saigon",
    name: "Phở Saigon",
    description: "Vietnamese phở, bánh mì and bún in Campolide.",
    cuisines: ["vietnamese"],
    address: "Rua de Campolide 120, 1070-039 Lisboa",
    lat: 38.7322,
    lng: -9.1631,
    openingHours: weekly(MON_TO_SAT, ["11:30", "22:00"]),
    prepTimeMinutes: 15,
    deliveryRadiusM: 4500,
    modifiers: {
      size: {
        name: "Size",
        min: 1,
        max: 1,
        options: [
          ["Regular", 0],
          ["Large", 250],
        ],
      },
      herbs: {
        name: "Extras",
        min: 0,
        max: 3,
        options: [
          ["Extra herbs", 0],
          ["Fresh chilli", 0],
          ["Extra beef", 300],
          ["Extra noodles", 150],
        ],
      },
      filling: {
        name: "Filling",
        min: 1,
        max: 1,
        options: [
          ["Lemongrass pork", 0],
          ["Chicken", 0],
          ["Tofu", 0],
        ],
      },
    },
    menu: [
      {
        name: "Phở",
        items: [
          ["Phở bò", "Beef broth, rare beef, brisket, rice noodles", 1190, "size", "herbs"],
          ["Phở gà", "Chicken broth with poached chicken", 1090, "size", "herbs"],
          ["Phở chay", "Vegetable broth with tofu and mushrooms", 990, "size", "herbs"],
        ],
      },
      {
        name: "Bánh mì and bún",
        items: [
          ["Bánh mì", "Baguette, pâté, pickled carrot, coriander, chilli", 750, "filling"],
          ["Bún chả", "Grilled pork patties, vermicelli, nước chấm", 1190],
          ["Bún bò Huế", "Spicy lemongrass beef noodle soup", 1250, "size"],
          ["Cơm tấm", "Broken rice, grilled pork chop, egg", 1150],
        ],
      },
      {
        name: "Rolls",
        items: [
          ["Gỏi cuốn (2)", "Fresh rolls with prawn and pork, peanut sauce", 550],
          ["Chả giò (4)", "Crispy fried spring rolls", 550],
        ],
      },
      {
        name: "Drinks",
        items: [
          ["Cà phê sữa đá", "Iced coffee with condensed milk", 350],
          ["Trà chanh", "Lime iced tea", 300],
          ["Sugar cane juice", "With kumquat", 350],
        ],
      },
    ],
  },
  {
    slug: "gelataria-do-rio",
    name: "Gelataria do Rio",
    description: "Artisan gelato and sorbets on Rua da Junqueira, made daily with Portuguese fruit.",
    cuisines: ["desserts", "ice cream"],
    address: "Rua da Junqueira 200, 1300-343 Lisboa",
    lat: 38.7006,
    lng: -9.1905,
    openingHours: weekly(EVERY_DAY, ["12:00", "23:00"]),
    prepTimeMinutes: 8,
    deliveryRadiusM: 4000,
    modifiers: {
      flavours: {
        name: "Flavours",
        min: 1,
        max: 3,
        options: [
          ["Pistachio", 50],
          ["Hazelnut", 0],
          ["Dark chocolate", 0],
          ["Pastel de nata", 0],
          ["Fior di latte", 0],
          ["Mango sorbet", 0],
          ["Lemon sorbet", 0],
          ["Strawberry", 0],
        ],
      },
      toppings: {
        name: "Toppings",
        min: 0,
        max: 2,
        options: [
          ["Whipped cream", 50],
          ["Hot fudge", 80],
          ["Toasted almonds", 60],
        ],
      },
    },
    menu: [
      {
        name: "Gelato",
        items: [
          ["Tub 500 ml", "Choose up to three flavours", 900, "flavours", "toppings"],
          ["Tub 1 litre", "Choose up to three flavours", 1600, "flavours", "toppings"],
          ["Cup, two scoops", "Packed for delivery", 450, "flavours", "toppings"],
          ["Affogato kit", "Fior di latte with a double espresso on the side", 550],
        ],
      },
      {
        name: "Sundaes and shakes",
        items: [
          ["Banana split", "Three scoops, banana, fudge, cream", 750],
          ["Brownie sundae", "Warm brownie, fior di latte, hot fudge", 690],
          ["Pistachio shake", "Pistachio gelato and milk", 550],
          ["Strawberry shake", "Strawberry gelato and milk", 520],
        ],
      },
      {
        name: "Pastries",
        items: [
          ["Gelato sandwich", "Brioche with two scoops", 490, "flavours"],
          ["Waffle", "With icing sugar", 450, "toppings"],
          ["Crepe with Nutella", "Made to order", 490],
        ],
      },
    ],
  },
];

// Courier names are drawn from these with a seeded PRNG, so every run yields the same people.
export const FIRST_NAMES = [
  "Ana",
  "João",
  "Maria",
  "Pedro",
  "Inês",
  "Tiago",
  "Beatriz",
  "Rui",
  "Carolina",
  "Miguel",
  "Sofia",
  "Diogo",
  "Mariana",
  "André",
  "Leonor",
  "Bruno",
  "Raquel",
  "Gonçalo",
  "Catarina",
  "Ricardo",
  "Rafael",
  "Lucas",
  "Priya",
  "Arjun",
  "Wei",
  "Amadou",
  "Fatima",
  "Nadia",
  "Marta",
  "Gabriel",
] as const;

export const LAST_NAMES = [
  "Silva",
  "Santos",
  "Ferreira",
  "Pereira",
  "Oliveira",
  "Costa",
  "Rodrigues",
  "Martins",
  "Jesus",
  "Sousa",
  "Fernandes",
  "Gonçalves",
  "Gomes",
  "Lopes",
  "Marques",
  "Alves",
  "Almeida",
  "Ribeiro",
  "Pinto",
  "Carvalho",
  "Teixeira",
  "Moreira",
  "Correia",
  "Mendes",
  "Nunes",
  "Singh",
  "Tavares",
  "Monteiro",
] as const;

export const COURIER_COUNT = 50;

export const DEMO_PASSWORDS = {
  customer: "demo-customer-pass",
  restaurant_staff: "demo-staff-pass",
  courier: "demo-courier-pass",
  admin: "demo-admin-pass",
} as const;

export const DEMO_CUSTOMERS = [
  { email: "customer@demo.test", name: "Carla Demo" },
  { email: "customer2@demo.test", name: "Duarte Demo" },
] as const;

export const DEMO_ADMIN = { email: "admin@demo.test", name: "Olga Operator" } as const;
