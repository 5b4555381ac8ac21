import { noChange, type ElementPart } from 'lit';
import { Directive, PartType, directive, type PartInfo } from 'lit/directive.js';

/**
 * Sets inline style properties through the CSSOM (`element.style.setProperty`), on the first render too. Lit's
 * `styleMap` writes its first render as a `style` attribute, which the page's Content-Security-Policy refuses
 * (`style-src` without `'unsafe-inline'`: the bar stayed at width auto); CSSOM writes are not inline markup, and CSP
 * lets them through.
 *
 * @example
 * html`<span class="bar" ${cssProperties({ width: '40%' })}></span>`   // → <span class="bar" style="width: 40%;">
 */
class CssPropertiesDirective extends Directive {
  private names: readonly string[] = [];

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('cssProperties() goes in element position: <span ${cssProperties({...})}>');
  }

  render(_properties: Readonly<Record<string, string>>) {
    return noChange;
  }

  override update(part: ElementPart, [properties]: [Readonly<Record<string, string>>]) {
    const { style } = part.element as HTMLElement;
    for (const name of this.names) if (!(name in properties)) style.removeProperty(name);
    for (const [name, value] of Object.entries(properties)) style.setProperty(name, value);
    this.names = Object.keys(properties);
    return noChange;
  }
}

export const cssProperties = directive(CssPropertiesDirective);
