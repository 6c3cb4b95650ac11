// Sound and vibration for a new offer. Browsers only let a page play sound
// after a user gesture, so the audio context is created when the courier taps
// "Go online" and reused for every offer after.
let audio: AudioContext | null = null;

export function primeAudio(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
  } catch {
    audio = null;
  }
}

/** Three short rising beeps and a vibration; silently nothing where either is unavailable. */
export function ringForOffer(): void {
  try {
    navigator.vibrate?.([250, 120, 250, 120, 400]);
  } catch {
    // no vibration motor
  }
  const ctx = audio;
  if (ctx?.state !== "running") return;
  const start = ctx.currentTime;
  [660, 880, 1100].forEach((frequency, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = frequency;
    osc.type = "sine";
    const t = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.4, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.2);
  });
}
