// The map, loaded on demand: Leaflet is about a quarter of the app's
// JavaScript, and no page's first paint waits for it (the restaurant list and
// the tracking page both paint their words first). Until it arrives, an empty
// box of the map's size holds its place, so nothing moves when it lands.
import { type ComponentProps, lazy, Suspense } from "react";
import type { PointsMap } from "./map.tsx";

export type { MapArea, MapPoint } from "./map.tsx";

const Loaded = lazy(() => import("./map.tsx").then((m) => ({ default: m.PointsMap })));

export function LazyPointsMap(props: ComponentProps<typeof PointsMap>) {
  return (
    <Suspense
      fallback={
        <figure className={`map-figure ${props.className ?? ""}`}>
          <section className="points-map" aria-label={props.label} aria-busy="true" />
        </figure>
      }
    >
      <Loaded {...props} />
    </Suspense>
  );
}
