/**
 * Line colours of the charts. Each has at least 4.5:1 contrast on the white card behind it (AA for
 * text, well above the 3:1 graphics need), and each series also has its own dash, so no reading
 * depends on telling colours apart.
 */
export const SERIES_STYLES = [
  { color: '#1d4ed8', dash: [] as number[], name: 'solid blue' }, // 6.7:1
  { color: '#b45309', dash: [8, 4], name: 'dashed orange' }, // 5.0:1
  { color: '#7e22ce', dash: [2, 3], name: 'dotted purple' }, // 7.0:1
  { color: '#b91c1c', dash: [10, 3, 2, 3], name: 'dash-dotted red' }, // 6.5:1
  { color: '#15803d', dash: [4, 4], name: 'short-dashed green' }, // 5.0:1
] as const;

/** Axis labels and ticks: the admin's muted text colour (7.4:1 on white). */
export const AXIS_COLOR = '#4a5468';
export const GRID_COLOR = '#e3e7ee';
