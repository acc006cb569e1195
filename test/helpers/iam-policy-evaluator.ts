/**
 * A small, strict evaluator of IAM identity policies, for checking the requests sluice really
 * sends against deploy/ecs/iam-policy.json. The moto server that enforces IAM checks Action and
 * Resource but ignores Condition blocks (s3:prefix) and matches DynamoDB actions against
 * Resource "*" only, so the parts of the policy it cannot judge are judged here.
 *
 * No permissively licensed evaluator is kept on npm (@cloud-copilot/iam-simulate is AGPL), so
 * this covers the subset the shipped policies use, and refuses anything else rather than
 * guessing: Allow and Deny statements, Action and Resource with `*` and `?` wildcards (actions
 * case-insensitive, resources case-sensitive), and Condition with StringEquals, StringLike,
 * StringNotEquals and StringNotLike (several values: any matches; several keys and operators:
 * all must hold; a key the request lacks fails the positive operators and passes the negated
 * ones, as AWS documents). An explicit Deny wins over any Allow; nothing allowed is denied.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IdentityPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** One authorization question: an action on a resource, with the request's condition keys. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Condition keys the request carries (`s3:prefix`, `s3:delimiter`); a missing key is absent. */
  context: Record<string, string>;
}

export type Decision = 'allow' | 'implicit_deny' | 'explicit_deny';

export interface Evaluation {
  decision: Decision;
  /** The statement that decided: the first matching Deny, else the first matching Allow. */
  sid?: string;
}

const KNOWN_KEYS = new Set(['Sid', 'Effect', 'Action', 'Resource', 'Condition']);
const OPERATORS = new Set(['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike']);

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** `*` any run of characters (slashes included), `?` one character; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function checkSupported(statement: PolicyStatement): void {
  for (const key of Object.keys(statement)) {
    if (!KNOWN_KEYS.has(key)) throw new Error(`statement ${statement.Sid ?? '?'}: ${key} is not supported here`);
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new Error(`statement ${statement.Sid ?? '?'}: Effect must be Allow or Deny`);
  }
  for (const [operator] of Object.entries(statement.Condition ?? {})) {
    if (!OPERATORS.has(operator))
      throw new Error(`statement ${statement.Sid ?? '?'}: ${operator} is not supported here`);
  }
  const text = JSON.stringify(statement);
  if (text.includes('${'))
    throw new Error(`statement ${statement.Sid ?? '?'}: policy variables are not supported here`);
}

function conditionHolds(operator: string, expected: string[], actual: string | undefined): boolean {
  const like = operator.endsWith('Like');
  const negated = operator.startsWith('StringNot');
  if (actual === undefined) return negated;
  const matches = expected.some((value) => (like ? wildcardMatch(value, actual) : value === actual));
  return negated ? !matches : matches;
}

function statementMatches(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  if (!list(statement.Action).some((action) => wildcardMatch(action, request.action, true))) return false;
  if (!list(statement.Resource).some((resource) => wildcardMatch(resource, request.resource))) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionHolds(operator, list(values), request.context[key])) return false;
    }
  }
  return true;
}

/** The decision of `policy` (and only it: no bucket policy, SCP or session policy) on `request`. */
export function evaluatePolicy(policy: IdentityPolicy, request: AuthorizationRequest): Evaluation {
  if (policy.Version !== '2012-10-17') throw new Error('only policy Version 2012-10-17 is supported');
  let allowed: PolicyStatement | undefined;
  for (const statement of policy.Statement) {
    checkSupported(statement);
    if (!statementMatches(statement, request)) continue;
    if (statement.Effect === 'Deny')
      return { decision: 'explicit_deny', ...(statement.Sid ? { sid: statement.Sid } : {}) };
    allowed ??= statement;
  }
  if (!allowed) return { decision: 'implicit_deny' };
  return { decision: 'allow', ...(allowed.Sid ? { sid: allowed.Sid } : {}) };
}
