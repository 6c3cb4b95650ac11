// `import.meta.env` for the console (type-checked by `tsc -p web`).
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin, e.g. https://api.edge-delivery.example; defaults to the local `npm start` Worker. */
  readonly VITE_API_BASE?: string;
  /** Map tiles for every app's map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset, the map draws on a plain background (works offline). */
  readonly VITE_MAP_TILES?: string;
  /** Credit line the tile provider requires. */
  readonly VITE_MAP_ATTRIBUTION?: string;
  /** The customer app pays through Stripe.js with this key (pk_live_/pk_test_); unset, the local Stripe stand-in confirms payments itself. */
  readonly VITE_STRIPE_PUBLISHABLE_KEY?: string;
  /** Where Stripe.js is loaded from; defaults to https://js.stripe.com/v3/ (the Stripe stand-in serves one at /v3/). */
  readonly VITE_STRIPE_JS_URL?: string;
}
