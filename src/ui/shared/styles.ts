/**
 * Shared element styles. Colours come from custom properties set on :root in src/theme.css (they inherit through
 * shadow roots), so one place switches light and dark.
 */
import { css, unsafeCSS, type CSSResult } from 'lit';

export const baseStyles = css`
  :host {
    display: block;
    color: var(--fg);
    font: inherit;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1rem 0 0.5rem;
  }
  p {
    margin: 0.4rem 0;
  }
  button {
    font: inherit;
    padding: 0.45rem 0.9rem;
    border-radius: 6px;
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--fg);
    cursor: pointer;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--on-accent);
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--fg);
    background: var(--surface);
    border: 1px solid var(--border-strong);
    border-radius: 6px;
    padding: 0.35rem 0.5rem;
    max-width: 100%;
  }
  textarea {
    width: 100%;
    resize: vertical;
  }
  label {
    display: block;
    font-weight: 600;
    font-size: 0.9rem;
    margin-bottom: 0.2rem;
  }
  fieldset {
    border: 1px solid var(--border);
    border-radius: 8px;
    padding: 0.5rem 0.75rem 0.75rem;
    margin: 0 0 0.75rem;
    min-width: 0;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: end;
  }
  .field {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .hint {
    color: var(--muted);
    font-size: 0.85rem;
  }
  .error {
    color: var(--danger);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .banner {
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
    margin: 0.5rem 0;
    border: 1px solid;
  }
  .banner.warn {
    background: var(--warn-bg);
    border-color: var(--warn-border);
  }
  .banner.info {
    background: var(--info-bg);
    border-color: var(--info-border);
  }
  .table-wrap {
    overflow: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
    font-size: 0.9rem;
    width: 100%;
  }
  th,
  td {
    text-align: right;
    padding: 0.25rem 0.5rem;
    border-bottom: 1px solid var(--border);
    white-space: nowrap;
  }
  th {
    position: sticky;
    top: 0;
    background: var(--surface-2);
  }
  td.text,
  th.text {
    text-align: left;
    white-space: normal;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin: 0.5rem 0;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/**
 * Tables that turn into one card per row when their wrapper is narrower than `maxWidth` (a phone, a narrow column):
 * every value keeps its column's name (the cell's `data-label`) and nothing hides in a sideways scroller. Mark the
 * table `class="stack"` inside a `.table-wrap`; `td.head` leads its card, `td.wide` spans it, `td.empty` is left out.
 *
 * @example
 * static styles = [baseStyles, stackTableStyles('34rem')] // a 7-column table: cards below 34rem
 */
export const stackTableStyles = (maxWidth: string): CSSResult => css`
  .table-wrap {
    container-type: inline-size;
  }
  @container (max-width: ${unsafeCSS(maxWidth)}) {
    table.stack,
    table.stack tbody {
      display: block;
    }
    table.stack thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    table.stack tr {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(6rem, 1fr));
      gap: 0.15rem 0.75rem;
      padding: 0.4rem 0.25rem;
      border-bottom: 1px solid var(--border);
    }
    table.stack td {
      display: block;
      text-align: left;
      white-space: normal;
      overflow-wrap: anywhere;
      border: 0;
      padding: 0;
    }
    table.stack td[data-label]::before {
      content: attr(data-label);
      display: block;
      font-size: 0.75rem;
      color: var(--muted);
    }
    table.stack td.empty {
      display: none;
    }
    table.stack td.head,
    table.stack td.wide {
      grid-column: 1 / -1;
    }
    table.stack td.head {
      font-weight: 600;
    }
    table.stack td.head[data-label]::before {
      display: inline;
      margin-right: 0.4rem;
    }
  }
`;
