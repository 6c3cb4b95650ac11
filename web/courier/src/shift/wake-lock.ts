// Keeps the screen on while the courier is on a job (the route, the next step
// and the PIN pad must not disappear behind a lock screen). The browser
// releases the lock whenever the page is hidden, so it is taken again when
// the page comes back.
export class ScreenWakeLock {
  private sentinel: WakeLockSentinel | null = null;
  private wanted = false;

  get held(): boolean {
    return this.sentinel !== null && !this.sentinel.released;
  }

  async enable(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    document.addEventListener("visibilitychange", this.onVisibility);
    await this.acquire();
  }

  async disable(): Promise<void> {
    this.wanted = false;
    document.removeEventListener("visibilitychange", this.onVisibility);
    const sentinel = this.sentinel;
    this.sentinel = null;
    await sentinel?.release().catch(() => {});
  }

  private async acquire(): Promise<void> {
    if (!this.wanted || this.held || document.visibilityState !== "visible" || !("wakeLock" in navigator)) return;
    try {
      this.sentinel = await navigator.wakeLock.request("screen");
    } catch {
      // Refused (battery saver, no user activation yet): the app works without it.
      this.sentinel = null;
    }
  }

  private readonly onVisibility = (): void => {
    void this.acquire();
  };
}
