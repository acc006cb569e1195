#!/usr/bin/env node
// Writes dashboards/<kind>.ndjson, the saved objects `sluice setup` imports, from the compiled
// builders. Run after `npm run build`; test/setup/dashboards/bundles.test.ts fails while a file
// is out of date. The files are for importing by hand (Dashboards Management > Saved objects).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_VARIANTS, dashboardBundle } from '../dist/setup/dashboards/bundles.js';
import { toNdjson } from '../dist/setup/dashboards/saved-object.js';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');
for (const { kind, schema } of DASHBOARD_VARIANTS) {
  const bundle = dashboardBundle(kind, undefined, schema);
  const target = join(folder, bundle.file);
  writeFileSync(target, toNdjson(bundle.objects));
  console.log(`wrote ${target} (${bundle.objects.length} objects)`);
}
