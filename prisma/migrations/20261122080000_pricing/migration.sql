-- Prices of usage per meter, optionally refined by partition and priority, and fixed costs per
-- project or resource. Both are versioned by validity over [valid_from, valid_to): versions of
-- the same key never overlap (exclusion constraints, as for resource metadata), and a cost is
-- computed at query time from the version valid when the usage happened.

CREATE TYPE fixed_cost_per AS ENUM ('DAY', 'MONTH');

CREATE TABLE price_cards (
  id          bigserial PRIMARY KEY,
  meter_id    integer NOT NULL REFERENCES meters(id),
  -- NULL: any partition (any priority). The most specific card valid at an instant prices it.
  partition   text CHECK (partition <> ''),
  priority    text CHECK (priority <> ''),
  unit_price  numeric NOT NULL CHECK (unit_price >= 0),
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT price_cards_valid_range CHECK (valid_to IS NULL OR valid_to > valid_from),
  CONSTRAINT price_cards_no_overlap
    EXCLUDE USING gist (meter_id WITH =, (coalesce(partition, '')) WITH =, (coalesce(priority, '')) WITH =,
                        tstzrange(valid_from, valid_to, '[)') WITH &&)
);
CREATE INDEX price_cards_meter_idx ON price_cards (meter_id, valid_from);

CREATE TABLE fixed_costs (
  id          bigserial PRIMARY KEY,
  project_id  integer NOT NULL REFERENCES projects(id),
  -- NULL: a cost of the project as a whole.
  resource_id integer REFERENCES resources(id),
  name        text NOT NULL CHECK (name <> ''),
  amount      numeric NOT NULL CHECK (amount >= 0),
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  per         fixed_cost_per NOT NULL,
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fixed_costs_valid_range CHECK (valid_to IS NULL OR valid_to > valid_from),
  CONSTRAINT fixed_costs_no_overlap
    EXCLUDE USING gist (project_id WITH =, (coalesce(resource_id, 0)) WITH =, name WITH =,
                        tstzrange(valid_from, valid_to, '[)') WITH &&)
);
CREATE INDEX fixed_costs_project_idx ON fixed_costs (project_id, valid_from);
