/**
 * `${VAR}` and `${VAR:-default}` in YAML string values, taken from the environment, so
 * secrets live in the task's environment (ECS secrets) and never in the file.
 * `$${...}` escapes a literal `${...}`. A variable that is unset and has no default is
 * reported with the place it was used.
 */
const PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationResult {
  value: string;
  missing: string[];
}

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  const missing: string[] = [];
  const value = text.replace(PATTERN, (whole, escape: string, name: string, fallback: string | undefined) => {
    if (escape) return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    if (found === '') return '';
    missing.push(name);
    return '';
  });
  return { value, missing };
}

export function hasReference(text: string): boolean {
  PATTERN.lastIndex = 0;
  const found = PATTERN.test(text);
  PATTERN.lastIndex = 0;
  return found;
}
