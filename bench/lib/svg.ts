// A dependency-free SVG line chart for latency-versus-load curves: x is the
// offered rate, y the latency (log scale: saturated points are orders of
// magnitude above the rest). Solid lines are p99, dashed lines p50.

export interface CurvePoint {
  /** Offered rate, requests per second. */
  x: number;
  p50: number;
  p99: number;
}

export interface Curve {
  name: string;
  points: CurvePoint[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  return (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude;
}

function formatNumber(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  if (value >= 1) return String(Number(value.toPrecision(3)));
  return String(Number(value.toPrecision(2)));
}

export function latencyChart(title: string, curves: readonly Curve[], goalMs?: number): string {
  const width = 720;
  const height = 420;
  const margin = { left: 70, right: 170, top: 40, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = curves.flatMap((c) => c.points).filter((p) => Number.isFinite(p.p99) && Number.isFinite(p.p50));
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  if (goalMs) ys.push(goalMs);
  const xMax = xs.length ? Math.max(...xs) * 1.05 : 1;
  const yMinLog = Math.floor(Math.log10(ys.length ? Math.min(...ys) : 0.1));
  const yMaxLog = Math.ceil(Math.log10(ys.length ? Math.max(...ys) : 10));
  const span = Math.max(1, yMaxLog - yMinLog);
  const xPos = (x: number) => margin.left + (x / xMax) * plotW;
  const yPos = (y: number) => margin.top + plotH - ((Math.log10(Math.max(y, 10 ** yMinLog)) - yMinLog) / span) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  // Axes and grid
  const step = niceStep(xMax, 6);
  for (let x = 0; x <= xMax; x += step) {
    out.push(
      `<line x1="${xPos(x)}" y1="${margin.top}" x2="${xPos(x)}" y2="${margin.top + plotH}" stroke="#eee"/>`,
      `<text x="${xPos(x)}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatNumber(x)}</text>`,
    );
  }
  for (let e = yMinLog; e <= yMaxLog; e++) {
    const y = yPos(10 ** e);
    out.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${y + 4}" text-anchor="end">${formatNumber(10 ** e)}</text>`,
    );
  }
  out.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">offered load (requests/s, open loop)</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`,
  );
  if (goalMs) {
    const y = yPos(goalMs);
    out.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${margin.left + plotW - 4}" y="${y - 4}" text-anchor="end" fill="#666">goal ${goalMs} ms</text>`,
    );
  }
  curves.forEach((curve, index) => {
    const color = COLORS[index % COLORS.length];
    const valid = curve.points.filter((p) => Number.isFinite(p.p99)).sort((a, b) => a.x - b.x);
    for (const [key, dash] of [
      ["p99", ""],
      ["p50", ' stroke-dasharray="5 4"'],
    ] as const) {
      const path = valid.map((p, i) => `${i ? "L" : "M"}${xPos(p.x).toFixed(1)},${yPos(p[key]).toFixed(1)}`).join(" ");
      if (path) out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const p of valid) {
        out.push(`<circle cx="${xPos(p.x).toFixed(1)}" cy="${yPos(p[key]).toFixed(1)}" r="3" fill="${color}"/>`);
      }
    }
    const ly = margin.top + 14 + index * 36;
    const lx = margin.left + plotW + 12;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${escapeXml(curve.name)}</text>`,
      `<text x="${lx + 28}" y="${ly + 18}" fill="#666" font-size="10">solid p99, dashed p50</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
