/**
 * A small, strict XML well-formedness checker for tests (no dependency):
 * balanced and properly nested tags, quoted unique attributes, `<` never
 * in text or attribute values, only the five predefined or numeric entity
 * references, comments, CDATA and processing instructions skipped. Throws
 * with the offset of the first problem; returns the element tree.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function checkText(text: string, at: number): string {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '<') throw new Error(`raw '<' in text at ${at + i}`);
    if (text[i] === '&') {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(text)) throw new Error(`bad entity reference at ${at + i}: ${text.slice(i, i + 10)}`);
    }
  }
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
    ref.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
      : ref.startsWith('#')
        ? String.fromCodePoint(Number(ref.slice(1)))
        : (named[ref] ?? ''),
  );
}

export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) throw new Error(`unclosed comment at ${i}`);
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i);
      if (end < 0) throw new Error(`unclosed CDATA at ${i}`);
      i = end + 3;
    } else if (source.startsWith('<?', i)) {
      const end = source.indexOf('?>', i);
      if (end < 0) throw new Error(`unclosed processing instruction at ${i}`);
      i = end + 2;
    } else if (source.startsWith('</', i)) {
      const end = source.indexOf('>', i);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> at ${i} closes <${open?.name ?? 'nothing'}>`);
      i = end + 1;
    } else if (source[i] === '<') {
      const match = NAME.exec(source.slice(i + 1));
      if (!match) throw new Error(`bad tag name at ${i}`);
      const element: XmlElement = { name: match[0], attributes: {}, children: [], text: '' };
      let j = i + 1 + match[0].length;
      for (;;) {
        while (/\s/.test(source[j] ?? '')) j++;
        if (source.startsWith('/>', j) || source[j] === '>') break;
        const attr = NAME.exec(source.slice(j));
        if (!attr) throw new Error(`bad attribute at ${j} in <${element.name}>`);
        j += attr[0].length;
        if (source[j] !== '=') throw new Error(`attribute ${attr[0]} without a value at ${j}`);
        const quote = source[j + 1];
        if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attr[0]} at ${j}`);
        const close = source.indexOf(quote, j + 2);
        if (close < 0) throw new Error(`unclosed attribute ${attr[0]} at ${j}`);
        if (attr[0] in element.attributes) throw new Error(`duplicate attribute ${attr[0]} at ${j}`);
        element.attributes[attr[0]] = checkText(source.slice(j + 2, close), j + 2);
        j = close + 1;
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new Error(`second root element <${element.name}> at ${i}`);
      else root = element;
      if (source[j] === '>') {
        stack.push(element);
        i = j + 1;
      } else i = j + 2;
    } else {
      const end = source.indexOf('<', i);
      const stop = end < 0 ? source.length : end;
      const text = checkText(source.slice(i, stop), i);
      const parent = stack.at(-1);
      if (parent) parent.text += text;
      else if (text.trim()) throw new Error(`text outside the root at ${i}`);
      i = stop;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('>, <')}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element of the tree, depth first. */
export function elements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(elements)];
}

/** All text under an element. */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join('');
}
