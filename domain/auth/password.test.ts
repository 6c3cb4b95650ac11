import { describe, expect, it } from "vitest";
import { DUMMY_PASSWORD_HASH, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "./password.ts";

describe("passwords", () => {
  it("verifies the password a hash was made from and nothing else", async () => {
    const hash = await hashPassword("correct horse battery", 1000);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterz", hash)).toBe(false);
  });

  it("the stand-in hash for unknown e-mails costs what a real one costs, and matches no likely password", async () => {
    expect(DUMMY_PASSWORD_HASH.split("$")[1]).toBe(String(PBKDF2_ITERATIONS));
    for (const guess of ["", "password", "correct horse battery", "demo-customer-pass"]) {
      expect(await verifyPassword(guess, DUMMY_PASSWORD_HASH)).toBe(false);
    }
  });
});
