import { describe, expect, it } from 'vitest';
import { summarizeImport } from '../../src/setup/import-result.js';

// Bodies as the saved objects import API documents them (OpenSearch Dashboards import route tests).
describe('summarizeImport', () => {
  it('reports every object imported when the answer is a success', () => {
    const body = {
      success: true,
      successCount: 2,
      successResults: [
        { type: 'index-pattern', id: 'my-pattern', meta: { title: 'my-pattern-*', icon: 'indexPatternApp' } },
        { type: 'dashboard', id: 'my-dashboard', meta: { title: 'Look at my dashboard', icon: 'dashboardApp' } },
      ],
    };
    expect(summarizeImport(body)).toEqual({ ok: true, imported: 2, problems: [] });
  });

  it('names each object and its error when the import had conflicts and missing references', () => {
    const body = {
      success: false,
      successCount: 1,
      errors: [
        {
          id: 'my-vis',
          type: 'visualization',
          title: 'my-vis',
          meta: { title: 'my-vis', icon: 'visualizeApp' },
          error: { type: 'missing_references', references: [{ type: 'index-pattern', id: 'my-pattern' }] },
        },
        { id: 'my-pattern', type: 'index-pattern', title: 'my-pattern-*', error: { type: 'conflict' } },
      ],
    };
    expect(summarizeImport(body)).toEqual({
      ok: false,
      imported: 1,
      problems: [
        'visualization my-vis (my-vis): missing references index-pattern my-pattern',
        'index-pattern my-pattern (my-pattern-*): conflict',
      ],
    });
  });

  it('fails when the answer is not an import result', () => {
    expect(summarizeImport({ name: 'Node 1', version: { number: '2.19.1' } })).toMatchObject({ ok: false });
    expect(summarizeImport(undefined)).toMatchObject({ ok: false });
  });
});
