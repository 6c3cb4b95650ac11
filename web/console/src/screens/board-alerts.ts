// A new order is heard and seen even when the console is in a background tab:
// a short chime (Web Audio, no file to load) and a desktop notification. Both
// need a click first (browsers refuse sound and permission prompts without
// one), so staff switch them on once; the choice is remembered on this device.
import { useCallback, useEffect, useRef, useState } from "react";

const KEY = "edge-delivery.console.alerts";

export interface OrderAlerts {
  on: boolean;
  /** Switches alerts on (asking for notification permission) or off; call from a click. */
  toggle(): Promise<void>;
  alert(title: string, body: string): void;
}

function chime(context: AudioContext): void {
  const now = context.currentTime;
  for (const [i, frequency] of [880, 1175].entries()) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.35);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(now + i * 0.18);
    oscillator.stop(now + i * 0.18 + 0.4);
  }
}

export function useOrderAlerts(): OrderAlerts {
  const [on, setOn] = useState(() => localStorage.getItem(KEY) === "on");
  const audio = useRef<AudioContext | null>(null);
  const enabled = useRef(on);
  useEffect(() => {
    enabled.current = on;
  }, [on]);

  const toggle = useCallback(async () => {
    if (enabled.current) {
      localStorage.setItem(KEY, "off");
      setOn(false);
      return;
    }
    audio.current ??= new AudioContext();
    await audio.current.resume().catch(() => undefined);
    if ("Notification" in window && Notification.permission === "default") {
      await Notification.requestPermission().catch(() => undefined);
    }
    localStorage.setItem(KEY, "on");
    setOn(true);
  }, []);

  const alert = useCallback((title: string, body: string) => {
    if (!enabled.current) return;
    try {
      // Remembered "on" from an earlier visit: the first click anywhere lets the sound play.
      audio.current ??= new AudioContext();
      if (audio.current.state === "running") chime(audio.current);
      else void audio.current.resume().then(() => audio.current && chime(audio.current));
    } catch {
      // No audio device: the toast and the notification still say it.
    }
    if (document.hidden && "Notification" in window && Notification.permission === "granted") {
      new Notification(title, { body, tag: title });
    }
  }, []);

  return { on, toggle, alert };
}
