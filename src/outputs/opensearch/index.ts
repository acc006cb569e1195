/**
 * What the rest of sluice uses of the OpenSearch output besides building it (outputs/index.ts):
 * `sluice setup` installs the same template through the same client, and words its failures
 * the way the output does; `sluice parse --show-route` names the index an event would go to
 * with the output's own index-name code.
 */
export { compileIndexName, indexPatternWildcard } from './index-name.js';
export { type IndexTemplate, outputIndexTemplate } from './index-template.js';
export { createOpenSearchClient, redactUrl } from './opensearch-client.js';
export type { AuthConfig, OpenSearchOutputConfig } from './opensearch-config.js';
export { type ErrorScope, forbiddenHint, startError, unauthenticatedHint } from './output-errors.js';
export { classifyRequestError } from './request-failure.js';
