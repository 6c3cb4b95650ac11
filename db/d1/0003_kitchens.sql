-- Kitchens in control: what discovery needs to follow hours, pauses, labels
-- and the kitchen's live state at once.

-- Special days (JSON, as in Postgres) and a pause (epoch ms), applied with the weekly hours.
ALTER TABLE restaurants ADD COLUMN special_days TEXT NOT NULL DEFAULT '[]';
ALTER TABLE restaurants ADD COLUMN paused_until INTEGER;
-- JSON array of distinct [dietary mask, allergen mask] pairs, one per kind of
-- available item (domain/menu/labels.ts): "has a vegan dish without sesame".
ALTER TABLE restaurants ADD COLUMN item_profiles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE restaurants ADD COLUMN fulfilment TEXT NOT NULL DEFAULT 'on_demand';
ALTER TABLE restaurants ADD COLUMN accepts_scheduled INTEGER NOT NULL DEFAULT 1;

-- Written by each Restaurant DO when its kitchen's state changes (busy by hand,
-- at capacity, the quote for the next order). Not rebuilt from Postgres: it
-- is live state, and a missing row means "not busy".
CREATE TABLE kitchen_status (
  restaurant_id TEXT PRIMARY KEY,
  busy INTEGER NOT NULL,
  -- 'manual' or 'at_capacity' while busy.
  reason TEXT,
  accepting_orders INTEGER NOT NULL,
  quoted_prep_minutes INTEGER,
  -- Epoch ms after which this row no longer holds (busy mode's end, the 15-minute window moving on); null: until the next write.
  valid_until INTEGER,
  updated_at INTEGER NOT NULL
);
