// Known ways Hugging Face's BERT pipeline (BertNormalizer + BertPreTokenizer + WordPiece) differs from
// google-research/bert tokenization.FullTokenizer (which @realm/tokenizer ports); the bench uses them to
// label token mismatches: a line is "explained" only if neutralising the listed characters makes both agree.

export interface KnownDifference {
  name: string;
  explanation: string;
  /** Matches a line that contains the characters this difference is about. */
  pattern: RegExp;
  /** Rewrites those characters so that both implementations treat them alike. */
  neutralize: (text: string) => string;
  /** A short text showing the difference, tokenized by the bench for the record. */
  probe: string;
}

const OTHER_CATEGORY = /[\p{Co}\p{Cs}\p{Cn}]/gu;

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    name: 'final sigma',
    explanation:
      'google-research/bert lower-cases with Python str.lower(), which turns a word-final Σ into ς (ours does the same); ' +
      "Hugging Face's Rust BertNormalizer (the native binding) lower-cases one char at a time and always gives σ, so the word splits " +
      'into other wordpieces (the pure-JS port lower-cases the whole string with String.prototype.toLowerCase and agrees with ours)',
    pattern: /Σ/u,
    neutralize: (text) => text.replaceAll('Σ', 'σ'),
    probe: 'ΟΔΟΣ ΑΘΗΝΑΣ',
  },
  {
    name: 'private-use/surrogate/unassigned chars',
    explanation:
      "google-research/bert's _is_control drops only Cc and Cf chars (ours does the same), so private-use (Co), surrogate (Cs) and " +
      "unassigned (Cn) chars stay in their word, usually making it [UNK]; Hugging Face's BertNormalizer drops every C* char",
    pattern: new RegExp(OTHER_CATEGORY.source, 'u'),
    neutralize: (text) => text.replace(OTHER_CATEGORY, ''),
    probe: 'logo\uE000mark',
  },
];

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((token, k) => token === b[k]);
}

/**
 * Names of the known differences that account for a mismatched line, or null when the line contains
 * none of them or still differs after neutralising them (an unexplained mismatch).
 */
export async function explainMismatch(text: string, tokenizeOurs: (text: string) => string[], tokenizeTheirs: (text: string) => string[] | Promise<string[]>): Promise<string[] | null> {
  const applicable = KNOWN_DIFFERENCES.filter((difference) => difference.pattern.test(text));
  if (applicable.length === 0) return null;
  const neutral = applicable.reduce((current, difference) => difference.neutralize(current), text);
  return sameTokens(tokenizeOurs(neutral), await tokenizeTheirs(neutral)) ? applicable.map((difference) => difference.name) : null;
}
