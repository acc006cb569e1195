/**
 * Templates for key segments and file names: literal text, `{name}` variables (a
 * discovered path segment such as an account id) and UTC date parts `{yyyy}` `{MM}`
 * `{dd}` `{HH}` `{mm}` `{ss}`.
 */
export const DATE_TOKENS = ['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
export type DateToken = (typeof DATE_TOKENS)[number];

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'date'; token: DateToken };

export interface KeyTemplate {
  readonly source: string;
  readonly parts: TemplatePart[];
  readonly dateTokens: DateToken[];
  readonly matcher: RegExp;
}

const TOKEN_DIGITS: Record<DateToken, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2 };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses `text{var}{yyyy}`; `constraints` restricts what a variable may match (an account is 12 digits). */
export function parseKeyTemplate(source: string, constraints: Record<string, string> = {}): KeyTemplate {
  const parts: TemplatePart[] = [];
  const pattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
  let last = 0;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    if (match.index > last) parts.push({ kind: 'text', text: source.slice(last, match.index) });
    const name = match[1]!; // the pattern's one group is not optional
    if ((DATE_TOKENS as readonly string[]).includes(name)) parts.push({ kind: 'date', token: name as DateToken });
    else parts.push({ kind: 'var', name });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  const leftover = parts.find((p) => p.kind === 'text' && /[{}]/.test(p.text));
  if (leftover) throw new Error(`unbalanced or invalid {placeholder} in "${source}"`);
  const regex = parts
    .map((part) => {
      if (part.kind === 'text') return escapeRegex(part.text);
      if (part.kind === 'date') return `\\d{${TOKEN_DIGITS[part.token]}}`;
      return `(?<${part.name}>${constraints[part.name] ?? '[^/]+'})`;
    })
    .join('');
  return {
    source,
    parts,
    dateTokens: parts.flatMap((p) => (p.kind === 'date' ? [p.token] : [])),
    matcher: new RegExp(`^${regex}$`),
  };
}

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, '0');
}

export function datePart(token: DateToken, date: Date): string {
  switch (token) {
    case 'yyyy':
      return pad(date.getUTCFullYear(), 4);
    case 'MM':
      return pad(date.getUTCMonth() + 1, 2);
    case 'dd':
      return pad(date.getUTCDate(), 2);
    case 'HH':
      return pad(date.getUTCHours(), 2);
    case 'mm':
      return pad(date.getUTCMinutes(), 2);
    case 'ss':
      return pad(date.getUTCSeconds(), 2);
  }
}

/** Renders the template; a variable without a value is an error (a layout bug, not user input). */
export function renderKeyTemplate(template: KeyTemplate, vars: Record<string, string>, date: Date): string {
  return template.parts
    .map((part) => {
      if (part.kind === 'text') return part.text;
      if (part.kind === 'date') return datePart(part.token, date);
      const value = vars[part.name];
      if (value === undefined) throw new Error(`no value for {${part.name}} in "${template.source}"`);
      return value;
    })
    .join('');
}

/** The variables a segment binds, or null when it does not match. */
export function matchKeyTemplate(template: KeyTemplate, segment: string): Record<string, string> | null {
  const match = template.matcher.exec(segment);
  if (!match) return null;
  return { ...(match.groups ?? {}) };
}
