import { BarChart, type BarSeriesOption } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { axisScale, CHART_GRID, CHART_HEIGHT } from './chart-layout';
import { formatMeasure, OTHER_COLOR, stackedMax, type ChartModel } from './model';
import { describePeriod, periodLabel, type PeriodUnit } from './time';
import type { Measure } from './view';

// SVG: a bar and a label are elements of the page, which a reader's tools (and the tests) can see.
echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

interface Props {
  model: ChartModel;
  /** What the y-axis counts: the meter's unit, "records", or the currency. */
  unit: string;
  measure: Measure;
  currency: string | null;
  /** Each series' colour by name, the same in every chart of the page. */
  colors: Map<string, string>;
  period: PeriodUnit;
  timeZone: string;
  /** The segment whose events are listed, outlined. */
  selected: { period: number; series: number } | null;
  /** A bar's segment was clicked: the period's index and the series'. */
  onSelect(periodIndex: number, seriesIndex: number): void;
}

export function Chart({ model, unit, measure, currency, colors, period, timeZone, selected, onSelect }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const instance = echarts.init(element.current!, undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => {
      if (params.componentType === 'series' && typeof params.dataIndex === 'number' && typeof params.seriesIndex === 'number') {
        select.current(params.dataIndex, params.seriesIndex);
      }
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const labels = model.periods.map((p) => periodLabel(p.start, period, timeZone));
    const series: BarSeriesOption[] = model.series.map((s, i) => ({
      type: 'bar',
      name: s.name,
      stack: 'total',
      data: s.values.map((value, j) =>
        selected && selected.series === i && selected.period === j
          ? { value, itemStyle: { borderColor: '#1d2733', borderWidth: 2 } }
          : value,
      ),
      color: colors.get(s.name) ?? OTHER_COLOR,
      barMaxWidth: 56,
      emphasis: { focus: 'series' },
    }));
    const format = (value: number) => formatMeasure(value, measure, currency);
    const scale = axisScale(stackedMax(model), measure === 'count');
    chart.current!.setOption(
      {
        animation: false,
        aria: { enabled: true },
        grid: { ...CHART_GRID, containLabel: false },
        legend: { type: 'scroll', bottom: 4, left: 'center', icon: 'roundRect' },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (items: unknown) => {
            const list = (items as { dataIndex: number; seriesName: string; value: number; marker: string }[]).filter((item) => item.value);
            if (list.length === 0) return '';
            const when = describePeriod(model.periods[list[0].dataIndex], period, timeZone);
            const total = list.reduce((sum, item) => sum + item.value, 0);
            const lines = [...list]
              .reverse()
              .map((item) => `${item.marker} ${escapeHtml(item.seriesName)}: <b>${escapeHtml(format(item.value))}</b>`);
            return `<b>${escapeHtml(when)}</b><br>${lines.join('<br>')}<br>Total: <b>${escapeHtml(format(total))}</b> ${escapeHtml(currency ? '' : unit)}<br><i>Click a bar for its events</i>`;
          },
        },
        xAxis: { type: 'category', data: labels, axisTick: { alignWithLabel: true }, axisLabel: { hideOverlap: true } },
        yAxis: {
          type: 'value',
          name: unit,
          nameTextStyle: { align: 'right' },
          min: 0,
          max: scale.max,
          interval: scale.interval,
          axisLabel: { formatter: format },
          splitLine: { lineStyle: { color: '#eceff3' } },
        },
        series,
      },
      { notMerge: true },
    );
  }, [model, unit, measure, currency, colors, period, timeZone, selected?.period, selected?.series]);

  return <div ref={element} className="chart" style={{ height: CHART_HEIGHT }} data-meter={model.meter} />;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
