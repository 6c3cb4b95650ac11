import { describe, expect, it } from "vitest";
import {
  areaContaining,
  checkAreaForRestaurant,
  type DeliveryAreaShape,
  isValidTimeZone,
  restaurantFlags,
  slugify,
} from "./restaurant.ts";

const square = (lng: number, lat: number, d: number) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ],
});

const lisbon: DeliveryAreaShape = {
  id: "a",
  name: "Lisboa",
  polygon: square(-9.2, 38.68, 0.12),
  currency: "EUR",
  active: true,
};
const closed: DeliveryAreaShape = { ...lisbon, id: "b", name: "Old Lisboa", active: false };
const porto: DeliveryAreaShape = {
  id: "c",
  name: "Porto",
  polygon: square(-8.7, 41.1, 0.1),
  currency: "EUR",
  active: true,
};

describe("slugify", () => {
  it("makes an ASCII slug from any name", () => {
    expect(slugify("Forno Napoletano & Co.")).toBe("forno-napoletano-co");
    expect(slugify("Café São Bento")).toBe("cafe-sao-bento");
    expect(slugify("  ***  ")).toBe("restaurant");
  });
});

describe("isValidTimeZone", () => {
  it("accepts IANA zones and refuses anything else", () => {
    expect(isValidTimeZone("Europe/Lisbon")).toBe(true);
    expect(isValidTimeZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimeZone("Europe/Lisbon; drop table")).toBe(false);
  });
});

describe("delivery areas", () => {
  it("finds the active area containing a point", () => {
    expect(areaContaining({ lat: 38.71, lng: -9.14 }, [closed, porto, lisbon])?.id).toBe("a");
    expect(areaContaining({ lat: 38.71, lng: -9.14 }, [closed, porto])).toBeNull();
  });

  it("flags a restaurant outside every area, and one outside its own", () => {
    expect(restaurantFlags({ lat: 38.71, lng: -9.14, deliveryAreaId: "a" }, [lisbon, porto])).toEqual({
      outsideEveryDeliveryArea: false,
      outsideOwnDeliveryArea: false,
      noDeliveryArea: false,
    });
    expect(restaurantFlags({ lat: 37.0, lng: -8.0, deliveryAreaId: null }, [lisbon, porto])).toEqual({
      outsideEveryDeliveryArea: true,
      outsideOwnDeliveryArea: false,
      noDeliveryArea: true,
    });
    expect(restaurantFlags({ lat: 38.71, lng: -9.14, deliveryAreaId: "c" }, [lisbon, porto])).toMatchObject({
      outsideEveryDeliveryArea: false,
      outsideOwnDeliveryArea: true,
    });
  });

  it("wants the restaurant's currency to be its area's", () => {
    expect(checkAreaForRestaurant("EUR", "a", [lisbon])).toEqual({ ok: true });
    expect(checkAreaForRestaurant("GBP", "a", [lisbon])).toMatchObject({
      ok: false,
      code: "delivery_area_currency_mismatch",
    });
    expect(checkAreaForRestaurant("EUR", "zzz", [lisbon])).toMatchObject({
      ok: false,
      code: "delivery_area_not_found",
    });
    expect(checkAreaForRestaurant("EUR", null, [])).toEqual({ ok: true });
  });
});
