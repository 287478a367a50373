/**
 * Reading links and titles out of HTML, enough for a crawler: attribute values of `<a href>`
 * and the text of `<title>`. Not an HTML parser; it skips comments and scripts.
 * @packageDocumentation
 */

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/**
 * Decode HTML character references (`&amp;`, `&#39;`, `&#x27;`).
 * @param text - the text.
 * @returns the decoded text.
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code =
        ref[1] === "x" || ref[1] === "X"
          ? Number.parseInt(ref.slice(2), 16)
          : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function stripIgnored(html: string): string {
  return html.replace(
    /<!--[\s\S]*?-->|<script\b[\s\S]*?<\/script\s*>|<style\b[\s\S]*?<\/style\s*>/gi,
    "",
  );
}

/**
 * The `href` of every `<a>` element, decoded, in document order (empty ones and `javascript:`
 * or `mailto:` links left out).
 * @param html - the page.
 * @returns the links, as written (resolve them with `response.urljoin`).
 */
export function extractLinks(html: string): string[] {
  const links: string[] = [];
  const anchor = /<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
  for (const match of stripIgnored(html).matchAll(anchor)) {
    const href = decodeEntities((match[1] ?? match[2] ?? match[3] ?? "").trim());
    if (href === "" || /^(?:javascript|mailto|tel|data):/i.test(href)) continue;
    links.push(href);
  }
  return links;
}

/**
 * The text of the page's `<title>`, decoded, with runs of white space collapsed.
 * @param html - the page.
 * @returns the title, or undefined when there is none.
 */
export function extractTitle(html: string): string | undefined {
  const match = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(stripIgnored(html));
  if (match === null) return undefined;
  return decodeEntities(match[1] ?? "")
    .replace(/\s+/g, " ")
    .trim();
}
