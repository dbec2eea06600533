/**
 * The nesting limit, checked on the raw body text before JSON.parse: validation, the content-derived
 * messageId and the stream processor all walk a message recursively, so a body 100,000 levels deep must
 * be refused before anything walks it. One pass over the text, strings skipped, no recursion; memory is
 * bounded by the limit, not by the body.
 */
import { InvalidRequestError } from '../errors.js';
import { limits } from './limits.js';

/** A batch message refused for its depth. */
export interface TooDeep {
  index: number;
  field: string;
  error: string;
}

export interface NestingCheck {
  /** The text to parse: each too-deep batch message replaced by `null`, so nothing ever parses it. */
  text: string;
  /** Batch messages deeper than the limit, by index (each rejected alone; the rest of the batch is kept). */
  tooDeep: TooDeep[];
}

const error = `nested deeper than ${limits.nestingDepth} levels`;

// Containers open around a batch message's own fields: the body object, the `batch` array, the message.
const batchMessageDepth = 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Index of the quote closing the string that opens at `start` (or the text's length if unclosed). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i;
    else i++;
  }
  return text.length;
}

function keyOf(raw: string): string {
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw.slice(1, -1);
  }
}

/**
 * Checks that no message nests objects or arrays deeper than `limits.nestingDepth` levels below itself.
 * A single message (or the batch envelope's own fields) over the limit is a 400 naming the field where
 * the limit was crossed (`properties.a.a…`); a batch message over it is listed in `tooDeep` with its index
 * and field, and cut out of the text to parse.
 */
export function checkNesting(text: string, kind: 'batch' | 'message'): NestingCheck {
  // Per open container (depth d at index d - 1): array or object, the current key's span, the array index.
  const maxTracked = batchMessageDepth + limits.nestingDepth;
  const isArray: boolean[] = [];
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  const index: number[] = [];
  const expectKey: boolean[] = [];
  let depth = 0;
  let tooDeep: TooDeep[] = [];
  const cuts: Array<[number, number]> = [];
  // While > 0: inside a too-deep batch message, only counting brackets until it closes.
  let skipFrom = -1;
  let messageStart = 0;

  const key = (d: number) => keyOf(text.slice(keyStart[d - 1]!, keyEnd[d - 1]! + 1));
  const pathTo = (d: number) => {
    let path = '';
    for (let level = 1; level <= d; level++) {
      if (isArray[level - 1]) path += `[${index[level - 1]}]`;
      else path += path ? `.${key(level)}` : key(level);
    }
    return path || 'body';
  };
  const inBatchArray = (d: number) => kind === 'batch' && d >= 2 && !isArray[0] && isArray[1] && key(1) === 'batch';

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (skipFrom < 0 && depth > 0 && !isArray[depth - 1] && expectKey[depth - 1]) {
        keyStart[depth - 1] = i;
        keyEnd[depth - 1] = end;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (skipFrom >= 0) continue;
      const inMessage = inBatchArray(depth - 1) && depth >= batchMessageDepth;
      if (depth === batchMessageDepth && inBatchArray(depth - 1)) messageStart = i;
      const allowed = inMessage ? maxTracked : 1 + limits.nestingDepth;
      if (depth > allowed) {
        const field = pathTo(depth - 1);
        if (!inMessage) throw new InvalidRequestError(`${kind === 'batch' ? 'batch envelope' : 'message'} ${error}`, field, { limit: limits.nestingDepth });
        tooDeep.push({ index: index[1]!, field, error });
        skipFrom = messageStart;
        continue;
      }
      isArray[depth - 1] = c === OPEN_ARRAY;
      expectKey[depth - 1] = c === OPEN_OBJECT;
      index[depth - 1] = 0;
      // A repeated `batch` key replaces the earlier array (JSON.parse keeps the last): so do its rejections.
      if (depth === 2 && c === OPEN_ARRAY && inBatchArray(2)) tooDeep = [];
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0) continue;
      depth--;
      if (skipFrom >= 0 && depth === batchMessageDepth - 1) {
        cuts.push([skipFrom, i + 1]);
        skipFrom = -1;
      }
    } else if (skipFrom < 0 && depth > 0) {
      if (c === COMMA) {
        if (isArray[depth - 1]) index[depth - 1]!++;
        else expectKey[depth - 1] = true;
      } else if (c === COLON) expectKey[depth - 1] = false;
    }
  }
  // An unclosed too-deep message runs to the end: the text left is invalid JSON and is refused as such.
  if (skipFrom >= 0) cuts.push([skipFrom, text.length]);
  if (cuts.length === 0) return { text, tooDeep };
  let out = '';
  let from = 0;
  for (const [start, end] of cuts) {
    out += `${text.slice(from, start)}null`;
    from = end;
  }
  return { text: out + text.slice(from), tooDeep };
}
