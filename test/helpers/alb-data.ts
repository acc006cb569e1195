import { gzipSync } from 'node:zlib';

/**
 * Generated ALB access log lines for end-to-end tests. Every line carries a unique trace id
 * (`Root=1-<object>-<line>`), so a test can prove each record is in OpenSearch exactly once.
 */
export function albLine(
  objectIndex: number,
  line: number,
  time = new Date(Date.UTC(2024, 4, 1, 0, 0, line % 60)),
): string {
  const ts = time.toISOString().replace('Z', '000Z');
  const client = line % 5 === 0 ? `2001:db8::${(line % 9000).toString(16)}` : `192.0.2.${line % 250}`;
  return (
    `https ${ts} app/test-alb/50dc6c495c0c9188 ${client}:${1024 + (line % 60000)} 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 ` +
    `"GET https://www.example.com:443/item/${line}?q=${objectIndex} HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
    `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-${objectIndex}-${line}" ` +
    `"www.example.com" "-" 0 ${ts} "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`
  );
}

/** A gzip ALB object of `lines` records, logged on `day` (UTC; default 2024-05-01). */
export function albObject(objectIndex: number, lines: number, day = new Date(Date.UTC(2024, 4, 1))): Buffer {
  const parts: string[] = [];
  for (let line = 1; line <= lines; line++) {
    parts.push(albLine(objectIndex, line, new Date(day.getTime() + (line % 86_400) * 1000)));
  }
  return gzipSync(`${parts.join('\n')}\n`);
}

/** An ALB-layout key for an object on a given day. */
export function albKey(prefix: string, day: Date, objectIndex: number): string {
  const y = day.getUTCFullYear();
  const m = String(day.getUTCMonth() + 1).padStart(2, '0');
  const d = String(day.getUTCDate()).padStart(2, '0');
  return `${prefix}AWSLogs/123456789012/elasticloadbalancing/us-east-1/${y}/${m}/${d}/123456789012_elasticloadbalancing_us-east-1_app.test-alb.50dc6c495c0c9188_${y}${m}${d}T0000Z_192.0.2.1_${String(objectIndex).padStart(8, '0')}.log.gz`;
}
