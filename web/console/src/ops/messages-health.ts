// The health metrics panel's strings (decision 0054), in English and European
// Portuguese; merged into the console's dictionaries by ../i18n.ts.
export const HEALTH_EN = {
  "metrics.title": "Live metrics",
  "metrics.window": "Window",
  "metrics.last15": "Last 15 min",
  "metrics.lastHour": "Last hour",
  "metrics.placements": "Placements",
  "metrics.placementsValue": "{perMinute}/min · {count} orders",
  "metrics.placementLatency": "Placement latency",
  "metrics.projectionLag": "Projection lag",
  "metrics.dispatchTime": "Dispatch time",
  "metrics.deadLetters": "New dead letters",
  "metrics.percentiles": "p50 {p50} · p95 {p95}",
  "metrics.ms": "{value} ms",
  "metrics.seconds": "{value} s",
  "metrics.none": "none yet",
  "metrics.unavailable": "Metrics are not configured for this deployment (Analytics Engine account and token).",
  "metrics.source": "From Workers Analytics Engine; counts include sampling.",
} as const;

export const HEALTH_PT: Record<keyof typeof HEALTH_EN, string> = {
  "metrics.title": "Métricas ao vivo",
  "metrics.window": "Janela",
  "metrics.last15": "Últimos 15 min",
  "metrics.lastHour": "Última hora",
  "metrics.placements": "Pedidos feitos",
  "metrics.placementsValue": "{perMinute}/min · {count} pedidos",
  "metrics.placementLatency": "Latência do pedido",
  "metrics.projectionLag": "Atraso da projeção",
  "metrics.dispatchTime": "Tempo até haver estafeta",
  "metrics.deadLetters": "Novas mensagens falhadas",
  "metrics.percentiles": "p50 {p50} · p95 {p95}",
  "metrics.ms": "{value} ms",
  "metrics.seconds": "{value} s",
  "metrics.none": "ainda sem dados",
  "metrics.unavailable": "As métricas não estão configuradas neste ambiente (conta e token do Analytics Engine).",
  "metrics.source": "Do Workers Analytics Engine; as contagens incluem amostragem.",
};
