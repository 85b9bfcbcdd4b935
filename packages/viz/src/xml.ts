/**
 * Text for XML content and attribute values. Its own module so that the SVG
 * diagrams of the main entry share it with the ECharts charts without
 * importing ECharts.
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
