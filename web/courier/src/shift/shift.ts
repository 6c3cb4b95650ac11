// One courier's shift: the GPS, the fix buffer, the zone link, offers and the
// current job, as one observable state for React (useSyncExternalStore).
// Readings become fixes through the filter; fixes go into the buffer; the
// link uploads the buffer. Going offline waits for the buffer to drain.
import type { CourierServerMessage } from "../../../shared/api/index.ts";
import type { CourierApi } from "../api.ts";
import type { MessageKey } from "../i18n.ts";
import { primeAudio, ringForOffer } from "./alert.ts";
import { FixBuffer } from "./fix-buffer.ts";
import { DEFAULT_FIX_FILTER, type Reading, shouldRecord } from "./fix-filter.ts";
import type { CourierStatus } from "./zone-link.ts";
import { type LinkState, ZoneLink } from "./zone-link.ts";

export type GpsState = "off" | "waiting" | "ok" | "denied" | "unavailable";

export type OfferMessage = Extract<CourierServerMessage, { type: "offer" }>;

export interface HeldOffer extends OfferMessage {
  /** Device time it arrived, for the countdown's start. */
  receivedAt: number;
}

export interface MissedOffer {
  orderId: string;
  restaurantName: string | null;
  at: number;
}

export interface ShiftState {
  /** What the courier chose. */
  desired: CourierStatus;
  /** What the zone last confirmed. */
  zoneStatus: CourierStatus | null;
  link: LinkState;
  cell: string | null;
  gps: GpsState;
  reading: Reading | null;
  buffered: number;
  accepted: number;
  dropped: number;
  offer: HeldOffer | null;
  answering: boolean;
  missed: MissedOffer[];
  activeOrders: string[];
  /** The job the app shows: the newest assignment, until the courier leaves its summary. */
  jobId: string | null;
  notice: MessageKey | null;
}

const STATUS_KEY = "edge-delivery.courier.status";
const NOTICE_MS = 6_000;

export class Shift {
  private state: ShiftState;
  private readonly listeners = new Set<() => void>();
  private readonly link: ZoneLink;
  private watchId: number | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastRecorded: Reading | null = null;
  private recording: Promise<void> = Promise.resolve();
  private started = false;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    api: CourierApi,
    private readonly buffer: FixBuffer,
  ) {
    const saved = localStorage.getItem(STATUS_KEY);
    this.state = {
      desired: saved === "online" || saved === "break" ? saved : "offline",
      zoneStatus: null,
      link: "idle",
      cell: null,
      gps: "off",
      reading: null,
      buffered: 0,
      accepted: 0,
      dropped: 0,
      offer: null,
      answering: false,
      missed: [],
      activeOrders: [],
      jobId: null,
      notice: null,
    };
    this.link = new ZoneLink({
      buffer,
      url: (at) => api.liveUrl(at),
      fallbackPosition: () => this.state.reading,
      status: () => this.state.desired,
      onState: (link) => this.set({ link }),
      onMessage: (message) => this.onCourierServerMessage(message),
      onAck: (ack) =>
        this.set({
          accepted: this.state.accepted + ack.accepted,
          dropped: this.state.dropped + ack.dropped,
          buffered: ack.remaining,
        }),
    });
  }

  static async open(api: CourierApi, userId: string): Promise<Shift> {
    const shift = new Shift(api, await FixBuffer.open(userId));
    shift.set({ buffered: await shift.buffer.count() });
    // A shift survives a reload: an online courier stays online, and buffered fixes still go up.
    if (shift.state.desired !== "offline" || shift.state.buffered > 0) shift.start();
    return shift;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): ShiftState => this.state;

  private set(patch: Partial<ShiftState>): void {
    this.state = { ...this.state, ...patch };
    if (patch.notice) {
      // A notice is read in a glance; it must not cover the screen for the rest of the shift.
      if (this.noticeTimer) clearTimeout(this.noticeTimer);
      const notice = patch.notice;
      this.noticeTimer = setTimeout(() => {
        if (this.state.notice === notice) this.set({ notice: null });
      }, NOTICE_MS);
    }
    for (const listener of this.listeners) listener();
  }

  private setDesired(desired: CourierStatus): void {
    localStorage.setItem(STATUS_KEY, desired);
    this.set({ desired });
  }

  /** The newest reading, for the position a step is confirmed at. */
  position(): Reading | null {
    return this.state.reading;
  }

  goOnline(): void {
    primeAudio();
    this.setDesired("online");
    this.start();
    this.link.send({ type: "status", status: "online" });
  }

  takeBreak(): void {
    this.setDesired("break");
    this.start();
    this.link.send({ type: "status", status: "break" });
  }

  async goOffline(): Promise<void> {
    if (this.state.activeOrders.length > 0 || this.state.jobId !== null) {
      this.set({ notice: "finishJobFirst" });
      return;
    }
    this.setDesired("offline");
    this.link.send({ type: "status", status: "offline" });
    this.stopGps();
    await this.link.drained(5_000);
    this.link.stop();
    this.started = false;
    this.set({ zoneStatus: "offline" });
  }

  answer(accept: boolean): void {
    const offer = this.state.offer;
    if (!offer || this.state.answering) return;
    if (!this.link.send({ type: "offer_response", orderId: offer.orderId, accept })) {
      this.set({ notice: "linkReconnecting" });
      return;
    }
    this.set({ answering: true });
  }

  /** The countdown reached zero without an answer. */
  offerLapsed(orderId: string): void {
    const offer = this.state.offer;
    if (offer?.orderId !== orderId || this.state.answering) return;
    this.miss(offer);
  }

  dismissNotice(): void {
    this.set({ notice: null });
  }

  /** The courier left the finished job's summary, or the job was taken off them: a stacked job still on the list comes next. */
  closeJob(notice: MessageKey | null = null): void {
    const closing = this.state.jobId;
    const next = this.state.activeOrders.find((id) => id !== closing) ?? null;
    this.set({ jobId: next, notice });
  }

  /** With two jobs stacked, the courier chooses which one the job screen shows. */
  selectJob(orderId: string): void {
    if (this.state.activeOrders.includes(orderId)) this.set({ jobId: orderId });
  }

  dispose(): void {
    this.stopGps();
    this.link.stop();
    this.buffer.close();
    this.listeners.clear();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.startGps();
    this.link.start();
  }

  private miss(offer: HeldOffer): void {
    this.set({
      offer: null,
      answering: false,
      notice: "offerMissed",
      missed: [
        { orderId: offer.orderId, restaurantName: offer.restaurantName, at: Date.now() },
        ...this.state.missed,
      ].slice(0, 10),
    });
  }

  private onCourierServerMessage(message: CourierServerMessage): void {
    switch (message.type) {
      case "status": {
        const jobId = this.state.jobId ?? message.activeOrders[0] ?? null;
        this.set({ zoneStatus: message.status, cell: message.cell, activeOrders: message.activeOrders, jobId });
        return;
      }
      case "handover":
        this.set({ cell: message.cell });
        return;
      case "offer":
        if (this.state.offer?.orderId !== message.orderId) ringForOffer();
        this.set({ offer: { ...message, receivedAt: Date.now() }, answering: false });
        return;
      case "offer_withdrawn":
        if (this.state.offer?.orderId === message.orderId) {
          if (message.reason === "expired") this.miss(this.state.offer);
          else this.set({ offer: null, answering: false, notice: "offerGone" });
        }
        return;
      case "assigned":
        this.set({
          offer: null,
          answering: false,
          // A stacked job joins the list; the screen stays on the job being done first.
          jobId:
            this.state.jobId !== null && this.state.activeOrders.includes(this.state.jobId)
              ? this.state.jobId
              : message.orderId,
          activeOrders: [...new Set([...this.state.activeOrders, message.orderId])],
        });
        return;
      case "declined":
        if (this.state.offer?.orderId === message.orderId) this.set({ offer: null, answering: false });
        return;
      case "error":
        if (message.orderId && this.state.offer?.orderId === message.orderId) {
          if (message.code === "try_again") this.set({ answering: false, notice: "linkReconnecting" });
          else if (message.code === "offer_expired") this.miss(this.state.offer);
          else this.set({ offer: null, answering: false, notice: "offerGone" });
        }
        return;
      case "ack":
        return;
    }
  }

  // ------------------------------------------------------------------ GPS

  private startGps(): void {
    if (this.watchId !== null || !("geolocation" in navigator)) {
      if (!("geolocation" in navigator)) this.set({ gps: "unavailable" });
      return;
    }
    this.set({ gps: "waiting" });
    this.watchId = navigator.geolocation.watchPosition(
      (position) => this.onPosition(position),
      (error) => this.onGpsError(error),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 30_000 },
    );
    // A courier standing still gets no callbacks: ask now and then, so the zone still hears from them.
    this.heartbeat = setInterval(() => {
      const last = this.lastRecorded;
      if (last && Date.now() - last.at < DEFAULT_FIX_FILTER.maxIntervalMs) return;
      navigator.geolocation.getCurrentPosition(
        (position) => this.onPosition(position),
        () => {},
        { enableHighAccuracy: true, maximumAge: 0, timeout: 10_000 },
      );
    }, 5_000);
  }

  private stopGps(): void {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.watchId = null;
    this.heartbeat = null;
    this.set({ gps: "off" });
  }

  private onGpsError(error: GeolocationPositionError): void {
    if (error.code === error.PERMISSION_DENIED) {
      this.set({ gps: "denied" });
      return;
    }
    // Between readings Chromium reports "unavailable"; only say so when there is no recent reading.
    const reading = this.state.reading;
    if (!reading || Date.now() - reading.at > 30_000) this.set({ gps: "unavailable" });
  }

  private onPosition(position: GeolocationPosition): void {
    const { latitude, longitude, accuracy, heading, speed } = position.coords;
    const reading: Reading = { lat: latitude, lng: longitude, accuracyM: accuracy, at: position.timestamp };
    this.set({ reading, gps: "ok" });
    if (!shouldRecord(this.lastRecorded, reading)) return;
    this.lastRecorded = reading;
    // Appends run one after another, so seq order is reading order.
    this.recording = this.recording
      .then(async () => {
        await this.buffer.append({
          lat: latitude,
          lng: longitude,
          accuracyM: accuracy,
          at: position.timestamp,
          ...(heading !== null && Number.isFinite(heading) ? { headingDeg: heading } : {}),
          ...(speed !== null && Number.isFinite(speed) ? { speedMps: speed } : {}),
        });
        this.set({ buffered: await this.buffer.count() });
        this.link.nudge();
      })
      .catch((error: unknown) => console.warn("fix buffer:", error));
  }
}
