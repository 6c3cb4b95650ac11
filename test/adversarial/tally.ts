// Counts for the adversarial suite: cases tried, refused as expected, and
// wrong (which the tests also assert to be zero). Printed at the end of each
// file as one JSON line, `{"adversarial": ...}`, for CI logs and the note.

export interface Tally {
  tried: number;
  refusedCorrectly: number;
  allowedCorrectly: number;
  wrong: string[];
  expect(ok: boolean, refused: boolean, describe: () => string): void;
  report(): void;
}

export function tally(name: string): Tally {
  const t: Tally = {
    tried: 0,
    refusedCorrectly: 0,
    allowedCorrectly: 0,
    wrong: [],
    expect(ok, refused, describe) {
      t.tried++;
      if (!ok) t.wrong.push(describe());
      else if (refused) t.refusedCorrectly++;
      else t.allowedCorrectly++;
    },
    report() {
      console.warn(
        JSON.stringify({
          adversarial: name,
          tried: t.tried,
          refusedCorrectly: t.refusedCorrectly,
          allowedCorrectly: t.allowedCorrectly,
          wrong: t.wrong.length,
        }),
      );
    },
  };
  return t;
}
