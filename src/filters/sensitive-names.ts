/**
 * The names whose values are secrets by default, and how a name from a log is compared with
 * them. Sources, so the lists can be argued with:
 * - Elastic APM agents' `sanitize_field_names` (password, passwd, pwd, secret, *key, *token*,
 *   *session*, authorization, set-cookie), aligned across its agents; we match exact names, not
 *   wildcards, so `user_token` or `monkey` stay readable, and list the real names instead;
 * - the OWASP Logging Cheat Sheet: never log passwords, session ids, access tokens, keys;
 * - OAuth 2.0 and OpenID Connect (RFC 6749, 6750): access_token, refresh_token, id_token,
 *   client_secret, client_assertion; OAuth 1.0a oauth_token(_secret);
 * - signed URLs: AWS SigV4 presigned (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token),
 *   SigV2 (Signature, AWSAccessKeyId), Google Cloud Storage (X-Goog-Signature, X-Goog-Credential),
 *   Azure SAS (sig);
 * - API keys as services take them in query strings: api_key, apikey, key (Google APIs), auth
 *   (Firebase), jwt; SAML's SAMLResponse (a bearer assertion).
 * `code` (OAuth authorization codes) is left out: too many non-secret parameters share the name.
 * All lists are written in normalized form (see normalizeName): `api_key` also covers `api-key`,
 * `API-Key` and `%61pi_key`.
 */
export const defaultQueryParams = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
  'private_key',
  'secret_key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'auth_token',
  'oauth_token',
  'oauth_token_secret',
  'client_assertion',
  'samlresponse',
  'jwt',
  'auth',
  'session',
  'sessionid',
  'session_id',
  'jsessionid',
  'phpsessid',
  'sid',
  'api_key',
  'apikey',
  'x_api_key',
  'key',
  'credential',
  'credentials',
  'signature',
  'sig',
  'x_amz_signature',
  'x_amz_credential',
  'x_amz_security_token',
  'awsaccesskeyid',
  'x_goog_signature',
  'x_goog_credential',
];

/**
 * Request headers that carry credentials: HTTP authentication (RFC 9110), cookies, API-key
 * headers (x-api-key is API Gateway's), AWS temporary credentials, CSRF tokens, and the
 * tokens an ALB with OIDC authentication forwards (x-amzn-oidc-accesstoken, x-amzn-oidc-data).
 */
export const defaultSensitiveHeaders = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amzn-oidc-accesstoken',
  'x-amzn-oidc-data',
];

/**
 * Decodes %XX escapes. When the text is not valid percent-encoded UTF-8 (a stray %, a cut
 * sequence: decodeURIComponent throws), only ASCII escapes are decoded: every name we look
 * for is ASCII.
 */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-7][0-9a-fA-F])/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

const LAST_BRACKET = /\[([^[\]]+)\][[\]]*$/;

/**
 * A parameter or header name as it is compared: percent-decoded (up to three times: a
 * server decodes once, but a proxy in front may have encoded again), lowercased, the last
 * non-empty bracket segment for `user[password]` forms, and `-` read as `_`.
 */
export function normalizeName(name: string): string {
  let text = name;
  for (let round = 0; round < 3 && text.includes('%'); round++) {
    const decoded = percentDecode(text);
    if (decoded === text) break;
    text = decoded;
  }
  text = text.trim().toLowerCase();
  if (text.endsWith(']')) {
    const segment = LAST_BRACKET.exec(text)?.[1];
    if (segment !== undefined) text = segment.trim();
  }
  return text.includes('-') ? text.replaceAll('-', '_') : text;
}
