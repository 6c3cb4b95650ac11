-- Discovery index: a derived copy of Postgres `restaurants` for the read path
-- of GET /v1/restaurants. Nothing here is authoritative; every row can be
-- dropped and rebuilt from Postgres (POST /v1/admin/discovery/rebuild).

CREATE TABLE restaurants (
  -- Explicit INTEGER PRIMARY KEY: the implicit rowid of a table may be
  -- renumbered by VACUUM, and restaurants_fts is joined on this value.
  doc_id INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  -- JSON array of lowercase cuisine names, as in Postgres.
  cuisines TEXT NOT NULL,
  address TEXT NOT NULL,
  lat REAL NOT NULL,
  lng REAL NOT NULL,
  -- Geohash of the zone precision (5), i.e. the Zone DO that serves the restaurant.
  cell TEXT NOT NULL,
  delivery_radius_m INTEGER NOT NULL,
  prep_time_minutes INTEGER NOT NULL,
  currency TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  opening_hours TEXT NOT NULL,
  active INTEGER NOT NULL,
  -- SHA-256 of everything above (and the dish names): a refresh with the same
  -- input leaves the row, updated_at included, exactly as it was.
  content_hash TEXT NOT NULL,
  -- Epoch milliseconds of the last content change; a full rebuild does not
  -- overwrite rows refreshed by an event after the rebuild started.
  updated_at INTEGER NOT NULL
);

-- The bounding-box scan: a range on lat, lng checked from the index itself.
CREATE INDEX restaurants_active_lat_lng_idx ON restaurants (lat, lng) WHERE active = 1;

-- Text search over what a customer types: the restaurant, its cuisines, its
-- description and its dishes. rowid = restaurants.doc_id.
CREATE VIRTUAL TABLE restaurants_fts USING fts5(
  name,
  cuisines,
  description,
  dishes,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
