// `import.meta.env` for the console (type-checked by `tsc -p web`).
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin, e.g. https://api.edge-delivery.example; defaults to the local `npm start` Worker. */
  readonly VITE_API_BASE?: string;
  /** The live map's tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset, the map draws on a plain background (works offline). */
  readonly VITE_MAP_TILES?: string;
  /** Credit line the tile provider requires. */
  readonly VITE_MAP_ATTRIBUTION?: string;
}
