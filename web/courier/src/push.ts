// The courier app's web push: offers arrive as notifications while the app is in the background.
import { enableWebPush, type PushOutcome } from "../../shared/push/web-push.ts";
import type { CourierApi } from "./api.ts";

export function enablePush(api: CourierApi, language: "en" | "pt"): Promise<PushOutcome> {
  return enableWebPush(api.client, { app: "courier", language });
}
