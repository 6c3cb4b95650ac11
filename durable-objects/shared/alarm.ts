// A Durable Object has one alarm. Objects keep a schedule of deadlines in
// their own storage and point the alarm at the earliest; this moves it only
// when it changes, so a write that adds no earlier deadline costs no alarm write.
export async function armAlarmAt(storage: DurableObjectStorage, earliest: number | undefined): Promise<void> {
  if (earliest === undefined) {
    await storage.deleteAlarm();
    return;
  }
  if ((await storage.getAlarm()) !== earliest) await storage.setAlarm(earliest);
}
