import { elements, parseXml, textOf, type XmlElement } from './xml.js';

/** Parses an SVG string (throws unless well-formed) and returns what the chart tests look at. */
export function inspectSvg(svg: string) {
  const root = parseXml(svg);
  const all = elements(root);
  const marks = (type: string) => all.filter((e) => e.attributes.ecmeta_ssr_type === type);
  return {
    root,
    all,
    texts: all.filter((e) => e.name === 'text').map(textOf),
    /** Data marks per series index (echarts' SSR tags each with `ecmeta_series_index`). */
    pointsPerSeries: (): number[] => {
      const counts: number[] = [];
      for (const e of marks('chart')) {
        const i = Number(e.attributes.ecmeta_series_index);
        counts[i] = (counts[i] ?? 0) + 1;
      }
      return counts;
    },
    title: (all.find((e) => e.name === 'title') as XmlElement | undefined)?.text,
    desc: (all.find((e) => e.name === 'desc') as XmlElement | undefined)?.text,
  };
}
