/** Command-line options of `npm run bench` (documented at the top of bench/run.ts). */

/** Runtimes the side-by-side benches compare: the Node line the image ships first, Node 20 (engines.node) for reference. */
export const DEFAULT_RUNTIMES = ['26.10.0', '20'];

export interface Options {
  records: number | null;
  rounds: number;
  only: string[] | null;
  json: boolean;
  /** Print only the JSON results (what bench/side-by-side.ts reads from its children). */
  jsonOnly: boolean;
  streamMb: number[];
  /** Pipeline files whose filters and output settings the full path applies; null: the defaults; []: none. */
  pipelineConfigs: string[] | null;
  /** Internal: this process is the child that streams one object of this many MB. */
  child: number | null;
}

export function parseOptions(argv: string[]): Options {
  const options: Options = {
    records: null,
    rounds: 2,
    only: null,
    json: false,
    jsonOnly: false,
    streamMb: [64, 512],
    pipelineConfigs: null,
    child: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--records') options.records = Number(argv[++i]);
    else if (arg === '--rounds') options.rounds = Number(argv[++i]);
    else if (arg === '--only') options.only = argv[++i]!.split(',');
    else if (arg === '--json') options.json = true;
    else if (arg === '--json-only') options.jsonOnly = true;
    else if (arg === '--stream-mb')
      options.streamMb = argv[++i]!.split(',')
        .map(Number)
        .filter((n) => n > 0);
    else if (arg === '--pipeline-config') {
      const value = argv[++i]!;
      options.pipelineConfigs = value === 'none' ? [] : [...(options.pipelineConfigs ?? []), ...value.split(',')];
    } else if (arg === '--child-stream-mb') options.child = Number(argv[++i]);
    else throw new Error(`unknown option ${arg}; see the comment at the top of bench/run.ts`);
  }
  return options;
}

/** The arguments that hand the same pipeline choice to a child process. */
export function pipelineArgs(options: Options): string[] {
  if (options.pipelineConfigs === null) return [];
  return ['--pipeline-config', options.pipelineConfigs.length === 0 ? 'none' : options.pipelineConfigs.join(',')];
}
