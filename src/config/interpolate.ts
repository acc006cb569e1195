/**
 * `${VAR}` and `${VAR:-default}` in YAML string values, taken from the environment, so
 * secrets live in the task's environment (ECS secrets) and never in the file.
 * `$${...}` escapes a literal `${...}`. A variable that is unset and has no default is
 * reported with the place it was used. As in the shell, `:-` also applies to an empty variable.
 */
const PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One variable whose value was taken from the environment (defaults are not listed). */
export interface Substitution {
  name: string;
  value: string;
}

export interface InterpolationResult {
  value: string;
  /** Variables that are unset and have no default, in order of use. */
  missing: string[];
  /** Variables whose values were used, so messages can name them instead of echoing them. */
  substitutions: Substitution[];
}

export function interpolate(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  const missing: string[] = [];
  const substitutions: Substitution[] = [];
  const value = text.replace(PATTERN, (whole, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') {
      substitutions.push({ name, value: found });
      return found;
    }
    if (fallback !== undefined) return fallback;
    if (found === '') {
      substitutions.push({ name, value: found });
      return '';
    }
    missing.push(name);
    return '';
  });
  return { value, missing, substitutions };
}

export function hasReference(text: string): boolean {
  PATTERN.lastIndex = 0;
  const found = PATTERN.test(text);
  PATTERN.lastIndex = 0;
  return found;
}
