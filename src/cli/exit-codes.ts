/** Exit codes, following sysexits.h where one fits. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 64;
/** EX_DATAERR: `parse --fail-on-error` met records that do not parse. */
export const EXIT_DATA = 65;
/** EX_TEMPFAIL: a run that must end (--once, a backfill) ended with a pipeline paused on a fault; run it again later. */
export const EXIT_PAUSED = 75;
/** EX_CONFIG: the configuration is invalid. */
export const EXIT_CONFIG = 78;
