import { count, filters, geohash, metric, overTime, percentiles, terms } from './aggs.js';
import { dashboard, indexPattern, type SavedObject, savedSearch, visualization } from './saved-object.js';
import {
  coordinateMapParams,
  horizontalBarParams,
  metricParams,
  pieParams,
  pointSeriesParams,
  tableParams,
} from './vis-params.js';

/** The index pattern id; `sluice setup` sets its title to the pipeline's own index pattern. */
export const ALB_INDEX_PATTERN_ID = 'sluice-alb';
export const ALB_DEFAULT_TITLE = 'alb-logs-*';

const ip = ALB_INDEX_PATTERN_ID;

/** ALB writes -1 for the times of a request it could not dispatch; latency panels leave those out. */
const DISPATCHED = 'target_processing_time >= 0';

function summary(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-summary',
    title: 'ALB: requests, clients and bytes',
    description: 'Requests, distinct client addresses and bytes in the time range.',
    type: 'metric',
    params: metricParams(),
    aggs: [
      count('Requests'),
      metric('cardinality', 'client_ip', 'Distinct clients'),
      metric('sum', 'sent_bytes', 'Bytes sent'),
      metric('sum', 'received_bytes', 'Bytes received'),
    ],
  });
}

function requestsAnd5xx(): SavedObject {
  const aggs = [
    count('Requests'),
    overTime(),
    filters('group', [
      { query: '*', label: 'All requests' },
      { query: 'elb_status_code >= 500', label: '5xx from the load balancer' },
      { query: 'target_status_code >= 500', label: '5xx from targets' },
    ]),
  ];
  return visualization(ip, {
    id: 'sluice-alb-requests-5xx',
    title: 'ALB: requests and 5xx over time',
    description: 'All requests, 5xx answered by the load balancer (elb_status_code) and by targets.',
    type: 'line',
    params: pointSeriesParams('line', aggs, 'Requests'),
    aggs,
  });
}

function latency(): SavedObject {
  const aggs = [percentiles('target_processing_time', [50, 95, 99], 'Target processing time (s)'), overTime()];
  return visualization(ip, {
    id: 'sluice-alb-latency',
    title: 'ALB: target latency percentiles over time',
    description: 'p50, p95 and p99 of target_processing_time (seconds) of dispatched requests.',
    type: 'line',
    params: pointSeriesParams('line', aggs, 'Seconds'),
    aggs,
    query: DISPATCHED,
  });
}

function latencyPerTargetGroup(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-target-groups',
    title: 'ALB: latency per target group',
    description:
      'Dispatched requests per target group: target_processing_time percentiles and maximum, and the mean ' +
      'request and response processing times (seconds).',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('target_group_arn', 20, 'bucket', 'Target group'),
      percentiles('target_processing_time', [50, 95, 99], 'Target time (s)'),
      metric('max', 'target_processing_time', 'Max target time (s)'),
      metric('avg', 'request_processing_time', 'Mean request time (s)'),
      metric('avg', 'response_processing_time', 'Mean response time (s)'),
    ],
    query: DISPATCHED,
  });
}

function statusOverTime(): SavedObject {
  const aggs = [count('Requests'), overTime(), terms('elb_status_code', 10, 'group', 'Status code')];
  return visualization(ip, {
    id: 'sluice-alb-status-over-time',
    title: 'ALB: status codes over time',
    description: 'Requests by elb_status_code, stacked.',
    type: 'histogram',
    params: pointSeriesParams('histogram', aggs, 'Requests'),
    aggs,
  });
}

function statusPerTargetGroup(): SavedObject {
  const aggs = [
    count('Requests'),
    terms('target_group_arn', 10, 'segment', 'Target group'),
    terms('target_status_code', 10, 'group', 'Target status code'),
  ];
  return visualization(ip, {
    id: 'sluice-alb-status-per-target-group',
    title: 'ALB: target status codes per target group',
    description: 'Requests per target group, split by the status code the target answered.',
    type: 'horizontal_bar',
    params: horizontalBarParams(aggs, 'Requests'),
    aggs,
  });
}

function bytesOverTime(): SavedObject {
  const aggs = [
    metric('sum', 'sent_bytes', 'Bytes sent'),
    metric('sum', 'received_bytes', 'Bytes received'),
    overTime(),
  ];
  return visualization(ip, {
    id: 'sluice-alb-bytes',
    title: 'ALB: bytes over time',
    description: 'sent_bytes and received_bytes summed per interval.',
    type: 'area',
    params: pointSeriesParams('area', aggs, 'Bytes', 'normal'),
    aggs,
  });
}

function topClients(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-top-clients',
    title: 'ALB: top clients',
    description: 'The client addresses with the most requests, their country, bytes and distinct URLs.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('client_ip', 20, 'bucket', 'Client'),
      terms('geoip.country_iso_code', 1, 'bucket', 'Country'),
      metric('sum', 'sent_bytes', 'Bytes sent'),
      metric('cardinality', 'request_url', 'Distinct URLs'),
    ],
  });
}

function topUrls(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-top-urls',
    title: 'ALB: top request URLs',
    description:
      'The most requested URLs (credentials redacted by the pipeline) with their method and p95 target time.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('request_url', 20, 'bucket', 'URL'),
      terms('request_method', 3, 'bucket', 'Method'),
      percentiles('target_processing_time', [95], 'Target time (s)'),
    ],
  });
}

function userAgents(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-user-agents',
    title: 'ALB: requests by user agent',
    description: 'Requests by browser or client family (the user_agent filter).',
    type: 'pie',
    params: pieParams(),
    aggs: [count('Requests'), terms('user_agent_info.name', 10, 'segment', 'User agent')],
  });
}

function clientMap(): SavedObject {
  return visualization(ip, {
    id: 'sluice-alb-client-map',
    title: 'ALB: clients on the map',
    description: 'Requests by client location (geoip.location).',
    type: 'tile_map',
    params: coordinateMapParams(),
    aggs: [count('Requests'), geohash('geoip.location')],
  });
}

function serverErrors(): SavedObject {
  return savedSearch(ip, {
    id: 'sluice-alb-errors',
    title: 'ALB: 5xx requests',
    description: 'The newest requests answered with a 5xx status.',
    columns: [
      'elb_status_code',
      'target_status_code',
      'client_ip',
      'request_method',
      'request_url',
      'target_group_arn',
      'error_reason',
    ],
    query: 'elb_status_code >= 500',
  });
}

/**
 * What an ALB analyst opens first: traffic and 5xx over time, latency percentiles overall and
 * per target group, status codes, bytes, and the top clients, URLs and agents.
 */
export function albSavedObjects(): SavedObject[] {
  const panels = {
    summary: summary(),
    requests: requestsAnd5xx(),
    latency: latency(),
    perTargetGroup: latencyPerTargetGroup(),
    status: statusOverTime(),
    statusPerTarget: statusPerTargetGroup(),
    bytes: bytesOverTime(),
    clients: topClients(),
    urls: topUrls(),
    agents: userAgents(),
    map: clientMap(),
    errors: serverErrors(),
  };
  const board = dashboard({
    id: 'sluice-alb-overview',
    title: 'sluice: ALB access logs',
    description: 'Application Load Balancer traffic, errors and latency (installed by sluice setup).',
    timeFrom: 'now-24h',
    rows: [
      [
        { object: panels.summary, w: 16, h: 10 },
        { object: panels.requests, w: 32, h: 10 },
      ],
      [
        { object: panels.latency, w: 24, h: 12 },
        { object: panels.status, w: 24, h: 12 },
      ],
      [{ object: panels.perTargetGroup, w: 48, h: 12 }],
      [
        { object: panels.statusPerTarget, w: 24, h: 12 },
        { object: panels.bytes, w: 24, h: 12 },
      ],
      [
        { object: panels.clients, w: 24, h: 14 },
        { object: panels.urls, w: 24, h: 14 },
      ],
      [
        { object: panels.agents, w: 16, h: 14 },
        { object: panels.map, w: 32, h: 14 },
      ],
      [{ object: panels.errors, w: 48, h: 14 }],
    ],
  });
  return [indexPattern(ip, ALB_DEFAULT_TITLE), ...Object.values(panels), board];
}
