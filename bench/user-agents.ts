/**
 * Realistic load balancer user agents for the user_agent benchmark: browsers on desktop and
 * mobile with the version spread a month of traffic shows, bots, SDKs and command-line
 * clients, drawn with a Zipf-like repeat distribution (a few agents carry most requests, a
 * long tail appears once or twice). Deterministic: the same seed gives the same list.
 */
import { random } from './generate-logs.js';

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, low: number, high: number): number => low + Math.floor(rng() * (high - low + 1));

const ANDROID_MODELS = ['SM-S918B', 'SM-G991B', 'SM-A536B', 'Pixel 7', 'Pixel 8 Pro', 'M2101K6G', 'CPH2451', 'K'];
const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
];

/** One user agent, from a mix shaped like a public web application's traffic. */
function userAgent(rng: Rng): string {
  const chrome = () => `${between(rng, 109, 131)}.0.${between(rng, 5000, 6800)}.${between(rng, 0, 200)}`;
  const kind = rng();
  if (kind < 0.3)
    return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome()} Safari/537.36`;
  if (kind < 0.36) {
    const version = chrome();
    return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36 Edg/${version}`;
  }
  if (kind < 0.42) {
    const version = between(rng, 115, 133);
    return `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${version}.0) Gecko/20100101 Firefox/${version}.0`;
  }
  if (kind < 0.5)
    return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${between(rng, 15, 18)}.${between(rng, 0, 6)} Safari/605.1.15`;
  if (kind < 0.55)
    return `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome()} Safari/537.36`;
  if (kind < 0.68) {
    const major = between(rng, 15, 18);
    const minor = between(rng, 0, 7);
    return `Mozilla/5.0 (iPhone; CPU iPhone OS ${major}_${minor} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${major}.${minor} Mobile/15E148 Safari/604.1`;
  }
  if (kind < 0.71)
    return `Mozilla/5.0 (iPad; CPU OS ${between(rng, 15, 18)}_${between(rng, 0, 6)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${between(rng, 15, 18)}.0 Mobile/15E148 Safari/604.1`;
  if (kind < 0.82)
    return `Mozilla/5.0 (Linux; Android ${between(rng, 10, 15)}; ${pick(rng, ANDROID_MODELS)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome()} Mobile Safari/537.36`;
  if (kind < 0.84)
    return `Mozilla/5.0 (Linux; Android ${between(rng, 10, 14)}; ${pick(rng, ANDROID_MODELS)}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/${between(rng, 20, 26)}.0 Chrome/${chrome()} Mobile Safari/537.36`;
  if (kind < 0.85)
    return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome()} Safari/537.36`;
  if (kind < 0.87) return pick(rng, BOTS);
  if (kind < 0.9) return `curl/${between(rng, 7, 8)}.${between(rng, 0, 88)}.${between(rng, 0, 1)}`;
  if (kind < 0.92) return `python-requests/2.${between(rng, 20, 32)}.${between(rng, 0, 3)}`;
  if (kind < 0.94) return `okhttp/${between(rng, 3, 4)}.${between(rng, 9, 12)}.${between(rng, 0, 3)}`;
  if (kind < 0.96)
    return `aws-sdk-java/2.${between(rng, 20, 28)}.${between(rng, 1, 40)} Linux/5.10.${between(rng, 100, 230)}-amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.${between(rng, 1, 12)}+7-LTS Java/17.0.${between(rng, 1, 12)} vendor/Amazon.com_Inc. io/sync http/Apache`;
  if (kind < 0.97) return `Go-http-client/${pick(rng, ['1.1', '2.0'])}`;
  if (kind < 0.98) return 'ELB-HealthChecker/2.0';
  return `MyCompanyApp/${between(rng, 1, 9)}.${between(rng, 0, 30)} (iPhone; iOS ${between(rng, 15, 18)}.${between(rng, 0, 6)}; Scale/3.00)`;
}

/** `distinct` different user agents (rank order: the first is the most frequent). */
export function userAgentPool(distinct: number, seed = 7): string[] {
  const rng = random(seed);
  const seen = new Set<string>();
  while (seen.size < distinct) seen.add(userAgent(rng));
  return [...seen];
}

/** `count` requests' user agents drawn from the pool with weight 1 / rank^1.1. */
export function userAgentStream(pool: readonly string[], count: number, seed = 11): string[] {
  const weights = pool.map((_, rank) => 1 / (rank + 1) ** 1.1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const weight of weights) {
    sum += weight / total;
    cumulative.push(sum);
  }
  const rng = random(seed);
  const stream: string[] = [];
  for (let i = 0; i < count; i++) {
    const x = rng();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < x) low = middle + 1;
      else high = middle;
    }
    stream.push(pool[low]!);
  }
  return stream;
}
