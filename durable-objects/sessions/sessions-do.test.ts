// A revocation is announced to the revocation feed before the revoking call
// returns (decision 0062): an isolate reading the feed with its cursor learns
// which users' objects revoked something since, and a cursor the feed cannot
// answer makes it start over.
import { describe, expect, it } from "vitest";
import { testEnv } from "../../test/world.ts";
import { REVOCATION_FEED_NAME } from "./revocation-feed.ts";

const feed = () => testEnv.SESSIONS.get(testEnv.SESSIONS.idFromName(REVOCATION_FEED_NAME));

describe("the revocation feed", () => {
  it("names the user's object after a sign-out or a deactivation, and nothing more", async () => {
    const first = await feed().feedSince(null);
    expect(first.owners).toBeNull();
    const cursor = first.head;
    expect(await feed().feedSince(cursor)).toEqual({ head: cursor, owners: [] });

    const signedOut = testEnv.SESSIONS.idFromName(`user:${crypto.randomUUID()}`);
    await testEnv.SESSIONS.get(signedOut).revokeSession(crypto.randomUUID(), Math.floor(Date.now() / 1000) + 60);
    const afterSignOut = await feed().feedSince(cursor);
    expect(afterSignOut.owners).toEqual([signedOut.toString()]);
    expect(afterSignOut.head).toBeGreaterThan(cursor);

    const deactivated = testEnv.SESSIONS.idFromName(`user:${crypto.randomUUID()}`);
    await testEnv.SESSIONS.get(deactivated).revokeAllBefore(Math.floor(Date.now() / 1000));
    const later = await feed().feedSince(afterSignOut.head);
    expect(later.owners).toEqual([deactivated.toString()]);
  });

  it("tells a cursor it never gave out to start over", async () => {
    const { head } = await feed().feedSince(null);
    expect((await feed().feedSince(head + 1000)).owners).toBeNull();
  });
});
