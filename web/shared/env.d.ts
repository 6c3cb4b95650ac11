// `import.meta.env` for the console (type-checked by `tsc -p web`).
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin, e.g. https://api.edge-delivery.example; defaults to the local `npm start` Worker. */
  readonly VITE_API_BASE?: string;
}
