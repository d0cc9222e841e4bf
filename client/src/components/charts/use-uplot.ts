/**
 * Draws a uPlot chart into a container and keeps it as wide as the container (a ResizeObserver,
 * so it follows the layout at 390 px as well as a window resize); new data replaces the old
 * without rebuilding the chart, new options rebuild it.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function useUplot(options: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData, height: number) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const width = () => Math.max(1, Math.floor(el.clientWidth));
    const plot = new uPlot({ ...options, width: width(), height }, latestData.current, el);
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      if (plot.width !== width()) plot.setSize({ width: width(), height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return container;
}
