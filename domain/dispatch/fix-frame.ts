// The courier app's compact fix frame (courier protocol 2, decision 63): a
// binary WebSocket message of little-endian IEEE 754 doubles,
//
//   [PACKED_FIXES_KIND, lat, lng, accuracyM, at, seq, headingDeg, speedMps, lat, lng, …]
//
// one header then FIX_STRIDE numbers per fix, NaN where the optional heading
// or speed is absent. It carries exactly what `{type:"fixes",fixes:[…]}`
// carries, without the text: the zone reads it through a Float64Array view
// instead of JSON.parse building an object with seven keys per fix. One codec
// for both sides: the app encodes with it (web/courier), the zone decodes.
//
// A frame is only ever malformed in its shape (length, header, count); every
// slot is a number by construction, so odd values (NaN, ±Infinity, out of
// range) are the fix checks' business (acceptFix: refused as out_of_range and
// counted), as an out-of-range number in a JSON frame is.
import type { Fix } from "./fix.ts";

/** The courier protocol the zone speaks: 2 adds the packed fix frame. Announced in the zone's `status`. */
export const COURIER_PROTOCOL = 2;
/** The first protocol with packed fix frames: an app sends them only to a zone that announced at least this. */
export const PACKED_FIXES_PROTOCOL = 2;
/** The header: which binary frame this is (the only one so far). */
export const PACKED_FIXES_KIND = 1;
/** Numbers per fix: lat, lng, accuracyM, at, seq, headingDeg, speedMps. */
export const FIX_STRIDE = 7;
const BYTES = 8;

/** The frame's byte length for `count` fixes. */
export function packedFrameBytes(count: number): number {
  return (1 + count * FIX_STRIDE) * BYTES;
}

// Float64Array reads in the platform's byte order; the wire is little-endian, as every platform
// workerd and the browsers run on is. A big-endian reader goes through DataView instead.
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

/** The fixes as a packed frame (the app's side). */
export function encodePackedFixes(fixes: readonly Fix[]): ArrayBuffer {
  const buffer = new ArrayBuffer(packedFrameBytes(fixes.length));
  const view = new DataView(buffer);
  view.setFloat64(0, PACKED_FIXES_KIND, true);
  let o = BYTES;
  for (const f of fixes) {
    view.setFloat64(o, f.lat, true);
    view.setFloat64(o + 8, f.lng, true);
    view.setFloat64(o + 16, f.accuracyM, true);
    view.setFloat64(o + 24, f.at, true);
    view.setFloat64(o + 32, f.seq, true);
    view.setFloat64(o + 40, f.headingDeg ?? Number.NaN, true);
    view.setFloat64(o + 48, f.speedMps ?? Number.NaN, true);
    o += FIX_STRIDE * BYTES;
  }
  return buffer;
}

export type PackedDecode = { ok: true; fixes: Fix[] } | { ok: false; message: string };

/**
 * The fixes of a packed frame, or why its shape is wrong (nothing is applied
 * then). `maxFixes`: the protocol's batch limit, as for a JSON batch.
 */
export function decodePackedFixes(frame: ArrayBuffer, maxFixes: number): PackedDecode {
  const bytes = frame.byteLength;
  if (bytes % BYTES !== 0) return malformed(`length ${bytes} is not a whole number of 8-byte numbers`);
  const numbers = bytes / BYTES - 1;
  const count = numbers / FIX_STRIDE;
  if (numbers < FIX_STRIDE || !Number.isInteger(count)) {
    return malformed(`a header and ${FIX_STRIDE} numbers per fix, at least one fix; got ${numbers + 1} numbers`);
  }
  if (count > maxFixes) return malformed(`at most ${maxFixes} fixes a frame; got ${count}`);
  const n = numbers + 1;
  const v = LITTLE_ENDIAN ? new Float64Array(frame) : fromLittleEndian(frame, n);
  if (v[0] !== PACKED_FIXES_KIND) return malformed(`header ${v[0]} is not ${PACKED_FIXES_KIND} (packed fixes)`);
  const fixes = new Array<Fix>(count);
  for (let k = 0, i = 1; k < count; k++, i += FIX_STRIDE) {
    const fix: Fix = {
      lat: v[i] as number,
      lng: v[i + 1] as number,
      accuracyM: v[i + 2] as number,
      at: v[i + 3] as number,
      seq: v[i + 4] as number,
    };
    const heading = v[i + 5] as number;
    const speed = v[i + 6] as number;
    // NaN is "absent", the same as a JSON fix without the key.
    if (!Number.isNaN(heading)) fix.headingDeg = heading;
    if (!Number.isNaN(speed)) fix.speedMps = speed;
    fixes[k] = fix;
  }
  return { ok: true, fixes };
}

function fromLittleEndian(frame: ArrayBuffer, n: number): Float64Array {
  const view = new DataView(frame);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * BYTES, true);
  return out;
}

function malformed(message: string): PackedDecode {
  return { ok: false, message: `Packed fix frame: ${message}.` };
}
