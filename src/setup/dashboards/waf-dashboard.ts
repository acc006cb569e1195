import { count, geohash, metric, overTime, terms } from './aggs.js';
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
export const WAF_INDEX_PATTERN_ID = 'sluice-waf';
export const WAF_DEFAULT_TITLE = 'waf-logs-*';

const ip = WAF_INDEX_PATTERN_ID;
const BLOCKED = 'action:BLOCK';
/** Requests a rule decided; the rest reached the web ACL's default action. */
const RULE_MATCHED = 'NOT terminatingRuleId:Default_Action';

function requests(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-summary',
    title: 'WAF: requests and clients',
    description: 'Requests the web ACLs inspected and their distinct client addresses.',
    type: 'metric',
    params: metricParams(),
    aggs: [count('Requests'), metric('cardinality', 'httpRequest.clientIp', 'Distinct clients')],
  });
}

function blocked(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-blocked-summary',
    title: 'WAF: blocked requests',
    description: 'Requests a rule blocked, and how many clients sent them.',
    type: 'metric',
    params: metricParams(),
    aggs: [count('Blocked requests'), metric('cardinality', 'httpRequest.clientIp', 'Blocked clients')],
    query: BLOCKED,
  });
}

function actionsOverTime(): SavedObject {
  const aggs = [count('Requests'), overTime(), terms('action', 5, 'group', 'Action')];
  return visualization(ip, {
    id: 'sluice-waf-actions',
    title: 'WAF: actions over time',
    description: 'Requests by the action taken (ALLOW, BLOCK, COUNT, CAPTCHA, CHALLENGE), stacked.',
    type: 'histogram',
    params: pointSeriesParams('histogram', aggs, 'Requests'),
    aggs,
  });
}

function terminatingRules(): SavedObject {
  const aggs = [
    count('Requests'),
    terms('terminatingRuleId', 15, 'segment', 'Terminating rule'),
    terms('action', 5, 'group', 'Action'),
  ];
  return visualization(ip, {
    id: 'sluice-waf-terminating-rules',
    title: 'WAF: top terminating rules',
    description: 'The rules (or rule groups) that decided the most requests, by action; the default action left out.',
    type: 'horizontal_bar',
    params: horizontalBarParams(aggs, 'Requests'),
    aggs,
    query: RULE_MATCHED,
  });
}

function blockedMap(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-blocked-map',
    title: 'WAF: blocked requests on the map',
    description: 'Blocked requests by client location (geoip.location from httpRequest.clientIp).',
    type: 'tile_map',
    params: coordinateMapParams(),
    aggs: [count('Blocked requests'), geohash('geoip.location')],
    query: BLOCKED,
  });
}

function blockedByCountry(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-blocked-countries',
    title: 'WAF: blocked requests by country',
    description: 'Blocked requests by the country WAF gives (httpRequest.country), with their distinct clients.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Blocked requests'),
      terms('httpRequest.country', 25, 'bucket', 'Country'),
      metric('cardinality', 'httpRequest.clientIp', 'Clients'),
    ],
    query: BLOCKED,
  });
}

function topClients(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-top-clients',
    title: 'WAF: top client IPs',
    description: 'The client addresses with the most requests, their country, and what WAF did with them.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('httpRequest.clientIp', 20, 'bucket', 'Client'),
      terms('httpRequest.country', 1, 'bucket', 'Country'),
      terms('action', 5, 'bucket', 'Action'),
    ],
  });
}

function topUris(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-top-uris',
    title: 'WAF: top URIs',
    description: 'The most requested paths (httpRequest.uri) and the actions taken on them.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('httpRequest.uri', 20, 'bucket', 'URI'),
      terms('httpRequest.httpMethod', 3, 'bucket', 'Method'),
      terms('action', 5, 'bucket', 'Action'),
    ],
  });
}

function topUserAgents(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-top-user-agents',
    title: 'WAF: top user agents',
    description: 'The most frequent User-Agent headers (httpRequest.header_map.user-agent) and their actions.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('httpRequest.header_map.user-agent', 20, 'bucket', 'User-Agent'),
      terms('action', 5, 'bucket', 'Action'),
    ],
  });
}

function agentFamilies(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-agent-families',
    title: 'WAF: requests by client family',
    description: 'Requests by browser, bot or client family (the user_agent filter).',
    type: 'pie',
    params: pieParams(),
    aggs: [count('Requests'), terms('user_agent_info.name', 10, 'segment', 'Client family')],
  });
}

function topLabels(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-labels',
    title: 'WAF: top labels',
    description: 'Labels rules added to requests (bot control, managed rule groups, your own rules).',
    type: 'pie',
    params: pieParams(),
    aggs: [count('Requests'), terms('labels.name', 15, 'segment', 'Label')],
  });
}

function topHosts(): SavedObject {
  return visualization(ip, {
    id: 'sluice-waf-hosts',
    title: 'WAF: requests by host',
    description: 'Requests by Host header and web ACL.',
    type: 'table',
    params: tableParams(10),
    aggs: [
      count('Requests'),
      terms('httpRequest.header_map.host', 15, 'bucket', 'Host'),
      terms('webaclId', 5, 'bucket', 'Web ACL'),
    ],
  });
}

function blockedRequests(): SavedObject {
  return savedSearch(ip, {
    id: 'sluice-waf-blocked-requests',
    title: 'WAF: blocked requests',
    description: 'The newest blocked requests with the rule that blocked them.',
    columns: [
      'httpRequest.clientIp',
      'httpRequest.country',
      'httpRequest.httpMethod',
      'httpRequest.uri',
      'terminatingRuleId',
      'terminatingRuleType',
      'labels.name',
    ],
    query: BLOCKED,
  });
}

/**
 * What a WAF analyst opens first: actions over time, the rules that terminate requests,
 * blocked requests by location and country, and the top clients, URIs, agents and labels.
 */
export function wafSavedObjects(): SavedObject[] {
  const p = {
    requests: requests(),
    blocked: blocked(),
    actions: actionsOverTime(),
    rules: terminatingRules(),
    map: blockedMap(),
    countries: blockedByCountry(),
    clients: topClients(),
    uris: topUris(),
    agents: topUserAgents(),
    families: agentFamilies(),
    labels: topLabels(),
    hosts: topHosts(),
    search: blockedRequests(),
  };
  const board = dashboard({
    id: 'sluice-waf-overview',
    title: 'sluice: AWS WAF logs',
    description: 'Web ACL decisions, blocked traffic and its sources (installed by sluice setup).',
    timeFrom: 'now-24h',
    rows: [
      [
        { object: p.requests, w: 12, h: 8 },
        { object: p.blocked, w: 12, h: 8 },
        { object: p.actions, w: 24, h: 8 },
      ],
      [
        { object: p.rules, w: 24, h: 14 },
        { object: p.countries, w: 24, h: 14 },
      ],
      [{ object: p.map, w: 48, h: 16 }],
      [
        { object: p.clients, w: 24, h: 14 },
        { object: p.uris, w: 24, h: 14 },
      ],
      [
        { object: p.agents, w: 24, h: 14 },
        { object: p.families, w: 12, h: 14 },
        { object: p.labels, w: 12, h: 14 },
      ],
      [{ object: p.hosts, w: 48, h: 10 }],
      [{ object: p.search, w: 48, h: 14 }],
    ],
  });
  return [indexPattern(ip, WAF_DEFAULT_TITLE), ...Object.values(p), board];
}
