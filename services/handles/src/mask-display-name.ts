const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** A word counts when it has a letter or a digit (so "-" or "&" between names does not). */
const WORDY = /[\p{L}\p{N}]/u;

/**
 * What a payer sees of a name: the first word and the initial of the last, "Bob Marley" →
 * "Bob M.", "Maria da Silva Santos" → "Maria S."; a single name stays as it is ("Madonna").
 * Middle names are never shown. The initial is the first letter or digit of the last word
 * as a whole grapheme (so "Élodie Ängström" → "Élodie Ä." and combining marks stay attached),
 * upper-cased where the script has case. Idempotent: masking "Bob M." gives "Bob M.".
 */
export function maskDisplayName(displayName: string): string {
  const words = displayName
    .normalize("NFC")
    .split(/[\s\p{Zs}]+/u)
    .filter((word) => WORDY.test(word));
  const first = words[0];
  if (first === undefined) return "";
  if (words.length === 1) return first;
  const last = words[words.length - 1]!;
  for (const { segment } of segmenter.segment(last)) {
    if (WORDY.test(segment)) return `${first} ${upperInitial(segment)}.`.normalize("NFC");
  }
  return first;
}

/** The grapheme upper-cased, unless that makes it more than one grapheme ("ß" → "SS"). */
function upperInitial(grapheme: string): string {
  const upper = grapheme.toUpperCase();
  let count = 0;
  for (const _ of segmenter.segment(upper)) count++;
  return count === 1 ? upper : grapheme;
}
