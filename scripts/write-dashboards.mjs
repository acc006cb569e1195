#!/usr/bin/env node
// Writes dashboards/<kind>.ndjson, the saved objects `sluice setup` imports, from the compiled
// builders. Run after `npm run build`; test/setup/dashboards/bundles.test.ts fails while a file
// is out of date. The files are for importing by hand (Dashboards Management > Saved objects).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_KINDS, dashboardBundle } from '../dist/setup/dashboards/bundles.js';
import { toNdjson } from '../dist/setup/dashboards/saved-object.js';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');
for (const kind of DASHBOARD_KINDS) {
  const bundle = dashboardBundle(kind);
  const target = join(folder, bundle.file);
  writeFileSync(target, toNdjson(bundle.objects));
  console.log(`wrote ${target} (${bundle.objects.length} objects)`);
}
