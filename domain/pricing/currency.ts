// Minor units per currency (ISO 4217 exponents). Every amount in the platform
// is an integer count of the currency's minor unit: cents for EUR, yen for JPY
// (exponent 0), fils for BHD (exponent 3). Only the exceptions to 2 are listed.

const EXPONENTS: Readonly<Record<string, number>> = {
  // Zero-decimal (ISO 4217 and Stripe's list).
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // Three-decimal.
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** Digits after the decimal point in `currency`'s major unit. */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/** One major unit (1 EUR, 1 JPY, 1 KWD) in minor units. */
export function minorPerMajor(currency: string): number {
  return 10 ** currencyExponent(currency);
}

/**
 * The largest tip accepted, in minor units: a mistyped tip must not become a
 * large charge. Roughly 100 EUR in each currency, rounded to a number a person
 * would type; other currencies get 100 major units.
 */
const TIP_CAP_MAJOR: Readonly<Record<string, number>> = {
  EUR: 100,
  USD: 100,
  GBP: 100,
  CHF: 100,
  DKK: 750,
  SEK: 1_000,
  NOK: 1_000,
  PLN: 400,
  CZK: 2_500,
  HUF: 40_000,
  RON: 500,
  BRL: 500,
  JPY: 15_000,
  KRW: 150_000,
  ISK: 15_000,
  BHD: 40,
  KWD: 30,
  JOD: 70,
  OMR: 40,
  TND: 300,
};

export function maxTipMinor(currency: string): number {
  const upper = currency.toUpperCase();
  return (TIP_CAP_MAJOR[upper] ?? 100) * minorPerMajor(upper);
}

/** Formats minor units as a plain decimal string ("12.50", "1500", "1.250"), for documents and CSV. */
export function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Stripe takes charges and refunds in these three-decimal currencies only in
 * whole tens of the minor unit (the last digit 0: 5.120 KWD, not 5.124), "to
 * ensure compatibility with its payments partners". IQD and LYD also have
 * three decimals but Stripe does not charge in them.
 */
const CHARGED_IN_TENS: ReadonlySet<string> = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

/** The smallest step a charge or refund in `currency` may take, in minor units: 10 for BHD/JOD/KWD/OMR/TND, else 1. */
export function chargeStepMinor(currency: string): number {
  return CHARGED_IN_TENS.has(currency.toUpperCase()) ? 10 : 1;
}

/**
 * What to add to `totalMinor` so it is a whole number of steps: rounded to the
 * nearest step, half up (5 fils up, 4 down), like every other rounding in
 * pricing (decision 0052). Between −4 and +5 fils in BHD/JOD/KWD/OMR/TND; 0
 * elsewhere. Pure, so quote and placement round alike.
 */
export function chargeRoundingMinor(totalMinor: number, currency: string): number {
  const step = chargeStepMinor(currency);
  if (step === 1) return 0;
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) {
    throw new RangeError(`total must be a non-negative integer, got ${totalMinor}`);
  }
  const up = totalMinor + step / 2;
  return up - (up % step) - totalMinor;
}
