/** `<uplot-chart>`: a uPlot line chart that follows its element's size and the page's colours. */
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';

/** uPlot options without the size: the element sizes the plot to its own width. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/**
 * A series' legend value: at the cursor while it is over the plot, else the last point's, so the legend always says
 * something (uPlot's own shows "—" whenever the pointer is elsewhere).
 *
 * @example
 * { label: 'ms', value: lastPointLegend(formatMs) } // legend: "ms 12.3" for the last batch, the hovered one's on hover
 */
export function lastPointLegend(format: (value: number) => string) {
  return (u: uPlot, value: number | null, seriesIdx: number, idx: number | null): string => {
    const shown = idx === null ? lastValue(u.data[seriesIdx] ?? []) : value;
    return shown === null || shown === undefined ? '—' : format(shown);
  };
}

function lastValue(column: ArrayLike<number | null | undefined>): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return column[i]!;
  return null;
}

/** Resolves `var(--name)` colours (canvas cannot) against the element's computed style. */
function resolveColours<T>(value: T, style: CSSStyleDeclaration): T {
  if (typeof value === 'string') {
    const match = /^var\((--[\w-]+)\)$/.exec(value.trim());
    return (match ? style.getPropertyValue(match[1]).trim() || value : value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveColours(v, style)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveColours(v, style)])) as T;
  }
  return value;
}

/**
 * A uPlot chart that follows its container's width. Colours may be given as `var(--custom-property)`. The canvas is
 * decorative for screen readers: pair it with a table of the same numbers, and name it with `label`.
 *
 * @csspart plot - the element uPlot draws into
 */
@customElement('uplot-chart')
export class UplotChart extends LitElement {
  static override styles = [
    unsafeCSS(uPlotCss),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      .plot {
        width: 100%;
      }
      .u-legend {
        font-size: 0.8rem;
        color: var(--fg);
      }
    `,
  ];

  @property({ attribute: false }) options: ChartOptions | null = null;
  @property({ attribute: false }) data: uPlot.AlignedData = [[]];
  @property({ type: Number }) height = 220;
  @property() label = 'chart';

  @query('.plot') private container!: HTMLDivElement;
  private plot: uPlot | null = null;
  private resizer: ResizeObserver | null = null;

  override render() {
    return html`<div class="plot" part="plot" role="img" aria-label=${this.label}></div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.options) return;
    if (!this.plot || changed.has('options') || changed.has('height')) this.scheduleCreate();
    else if (changed.has('data')) this.plot.setData(this.data);
  }

  private createPending = false;

  /**
   * Builds the plot after the next paint. Its colours and width come from computed style and layout: read in the
   * same task as a large DOM update (the results of a rerank), they force a whole-page style recalculation there,
   * measured as a 90–150 ms task (npm run bench:main-thread); after the paint they are already up to date.
   */
  private scheduleCreate(): void {
    if (this.createPending) return;
    this.createPending = true;
    requestAnimationFrame(() => setTimeout(() => {
      this.createPending = false;
      if (this.isConnected && this.options) this.create();
    }, 0));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizer = new ResizeObserver(() => {
      const width = this.container?.clientWidth ?? 0;
      if (this.plot && width > 0 && Math.abs(width - this.plot.width) > 1) this.plot.setSize({ width, height: this.height });
    });
    this.resizer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private create(): void {
    this.plot?.destroy();
    const style = getComputedStyle(this);
    const options = resolveColours(this.options!, style);
    const axisColour = style.getPropertyValue('--fg').trim() || '#222';
    const gridColour = style.getPropertyValue('--border').trim() || '#ddd';
    const axes = (options.axes ?? []).map((a) => ({
      stroke: axisColour,
      grid: { stroke: gridColour, width: 1 },
      ticks: { stroke: gridColour, width: 1 },
      ...a,
    }));
    this.plot = new uPlot(
      { ...options, axes, width: Math.max(200, this.container.clientWidth), height: this.height },
      this.data,
      this.container,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'uplot-chart': UplotChart;
  }
}
