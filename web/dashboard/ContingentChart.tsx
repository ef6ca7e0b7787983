import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { axisScale } from './chart-layout';
import { formatNumber, type ContingentModel } from './model';
import { formatInstant } from './time';

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

/** A contingent's use over its period: so far, at its pace to the end, and the amount it may reach. */
export function ContingentChart({ model, timeZone }: { model: ContingentModel; timeZone: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const instance = echarts.init(element.current!, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const { contingent: c } = model;
    const from = Date.parse(c.from);
    const to = Date.parse(c.to);
    const projection =
      !model.ended && model.projectedUse !== null
        ? [
            [model.at.getTime(), model.used],
            [to, model.projectedUse],
          ]
        : [];
    const scale = axisScale(Math.max(c.amount, model.used, model.projectedUse ?? 0), false);
    chart.current!.setOption(
      {
        animation: false,
        grid: { left: 72, right: 24, top: 24, bottom: 56 },
        legend: { bottom: 4, left: 'center' },
        tooltip: {
          trigger: 'axis',
          valueFormatter: (v: unknown) => `${formatNumber(Number(v))} ${c.meter.unit}`,
        },
        xAxis: {
          type: 'time',
          min: from,
          max: to,
          axisLabel: { hideOverlap: true, formatter: (v: number) => formatInstant(new Date(v), timeZone).replace(/, \d\d:\d\d$/, '') },
        },
        yAxis: {
          type: 'value',
          name: c.meter.unit,
          min: 0,
          max: scale.max,
          interval: scale.interval,
          axisLabel: { formatter: (v: number) => formatNumber(v, 2) },
        },
        series: [
          {
            type: 'line',
            name: 'Used',
            step: false,
            showSymbol: false,
            color: '#3366cc',
            areaStyle: { opacity: 0.12 },
            data: model.points.map((p) => [p.at.getTime(), p.used]),
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: '#b42318', type: 'solid' },
              label: { formatter: `Contingent ${formatNumber(c.amount)}`, position: 'insideEndTop' },
              data: [{ yAxis: c.amount }],
            },
          },
          {
            type: 'line',
            name: 'Projected at the pace so far',
            showSymbol: false,
            color: '#f28e2b',
            lineStyle: { type: 'dashed' },
            data: projection,
          },
        ],
      },
      { notMerge: true },
    );
  }, [model, timeZone]);

  return <div ref={element} className="chart contingent-chart" style={{ height: 260 }} data-contingent={model.contingent.id} />;
}
