import type { AggSpec } from './saved-object.js';

/**
 * The `params` of each visualization type, written out where Dashboards' defaults do not
 * fit: point series get one series per metric (the default names only metric 1), tables a
 * page size, maps their marker type. Everything left out is filled from the type's defaults.
 */
type SeriesType = 'line' | 'area' | 'histogram';

function seriesParams(aggs: AggSpec[], type: SeriesType, mode: 'normal' | 'stacked'): Record<string, unknown>[] {
  return aggs.flatMap((agg, index) =>
    agg.schema === 'metric'
      ? [
          {
            show: true,
            type,
            mode,
            data: { id: String(index + 1), label: String(agg.params.customLabel ?? 'Count') },
            valueAxis: 'ValueAxis-1',
            drawLinesBetweenPoints: true,
            lineWidth: 2,
            interpolate: 'linear',
            showCircles: true,
          },
        ]
      : [],
  );
}

function valueAxis(title: string): Record<string, unknown> {
  return {
    id: 'ValueAxis-1',
    name: 'LeftAxis-1',
    type: 'value',
    position: 'left',
    show: true,
    style: {},
    scale: { type: 'linear', mode: 'normal' },
    labels: { show: true, rotate: 0, filter: false, truncate: 100 },
    title: { text: title },
  };
}

/** A chart over time or over categories: line, area, or (vertical) histogram bars. */
export function pointSeriesParams(
  type: SeriesType,
  aggs: AggSpec[],
  axisTitle: string,
  mode: 'normal' | 'stacked' = type === 'line' ? 'normal' : 'stacked',
): Record<string, unknown> {
  return {
    type,
    seriesParams: seriesParams(aggs, type, mode),
    valueAxes: [valueAxis(axisTitle)],
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
    times: [],
    addTimeMarker: false,
  };
}

export function horizontalBarParams(aggs: AggSpec[], axisTitle: string): Record<string, unknown> {
  return {
    type: 'histogram',
    seriesParams: seriesParams(aggs, 'histogram', 'stacked'),
    categoryAxes: [
      {
        id: 'CategoryAxis-1',
        type: 'category',
        position: 'left',
        show: true,
        style: {},
        scale: { type: 'linear' },
        labels: { show: true, rotate: 0, filter: false, truncate: 200 },
        title: {},
      },
    ],
    valueAxes: [{ ...valueAxis(axisTitle), name: 'BottomAxis-1', position: 'bottom' }],
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
  };
}

export function tableParams(perPage = 10): Record<string, unknown> {
  return {
    perPage,
    showPartialRows: false,
    showMetricsAtAllLevels: false,
    showTotal: false,
    totalFunc: 'sum',
    percentageCol: '',
  };
}

export function pieParams(): Record<string, unknown> {
  return {
    type: 'pie',
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
    isDonut: true,
    labels: { show: false, values: true, last_level: true, truncate: 100 },
  };
}

export function metricParams(): Record<string, unknown> {
  return { addTooltip: true, addLegend: false, type: 'metric' };
}

export function coordinateMapParams(): Record<string, unknown> {
  return {
    mapType: 'Scaled Circle Markers',
    colorSchema: 'Yellow to Red',
    isDesaturated: true,
    addTooltip: true,
    heatClusterSize: 1.5,
    legendPosition: 'bottomright',
    mapZoom: 2,
    mapCenter: [0, 0],
  };
}
