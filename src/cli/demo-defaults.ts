/** The demo's own defaults: no health server, quiet logs (a variable that is set still wins). */
export const DEMO_DEFAULTS = { SLUICE_HTTP_PORT: '0', SLUICE_LOG_LEVEL: 'warn' };
