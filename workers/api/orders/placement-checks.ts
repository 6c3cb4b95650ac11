// Placement's answers when a restaurant cannot take an order, each with its
// own code so a client can say why (and until when) instead of "closed".
import type { Availability } from "../../../domain/restaurant/schedule.ts";
import { ApiError } from "../http/errors.ts";

function when(ms: number | null): string {
  return ms === null ? "" : ` It takes orders again from ${new Date(ms).toISOString()}.`;
}

export function closedError(availability: Extract<Availability, { open: false }>): ApiError {
  const extra = { opensAt: availability.opensAt === null ? null : new Date(availability.opensAt).toISOString() };
  if (availability.reason === "paused") {
    return new ApiError(
      422,
      "restaurant_paused",
      `The restaurant has paused orders for a short while.${when(availability.opensAt)}`,
      undefined,
      extra,
    );
  }
  return new ApiError(
    422,
    "restaurant_closed",
    `The restaurant is closed now.${when(availability.opensAt)}`,
    undefined,
    extra,
  );
}
